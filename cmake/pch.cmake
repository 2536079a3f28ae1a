# Precompiled headers, built once and reused by every host C++ target.
#
# Why: most of a file's compile time here is parsing the same large headers
# (measured with g++ 12: nlohmann/json 3.1 s, protobuf 2.5 s, fmt 1.1 s of a
# typical twin source's 5.5 s at -O2 -g), and the project has ~280 files, so
# both CI builds (gcc, then clang with sanitizers) spent most of their time on
# it. Two headers are precompiled: one for the libraries and programs, one that
# adds GoogleTest for the test suites (one file each, so per-target headers
# would not pay). A header only speeds up a target whose flags and macros
# match its own, so every consumer links the same interface libraries.
#
# Left out: the firmware and the targets that build it with their own flags
# (-fno-exceptions, -O0/-O2 probes, coverage): their headers must stand alone
# for the MCU, and their flags differ. PACKTWIN_PCH=OFF builds without any.
option(PACKTWIN_PCH "Reuse precompiled headers across host targets" ON)

set(packtwin_pch_headers
  <algorithm> <array> <chrono> <cstdint> <functional> <map> <memory>
  <optional> <set> <sstream> <string> <string_view> <unordered_map>
  <variant> <vector>
  <fmt/format.h> <nlohmann/json.hpp> <google/protobuf/message.h>)

# Defines pch_host (and pch_test when the tests are built): the targets that
# compile the headers, and the interface libraries their consumers link.
function(packtwin_pch_define)
  file(WRITE ${CMAKE_BINARY_DIR}/pch_anchor.cc "// compiles the precompiled header\n")
  add_library(pch_host_deps INTERFACE)
  target_link_libraries(pch_host_deps INTERFACE fmt::fmt nlohmann_json::nlohmann_json protobuf::libprotobuf)
  add_library(pch_host OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
  target_link_libraries(pch_host PRIVATE pch_host_deps)
  target_precompile_headers(pch_host PRIVATE ${packtwin_pch_headers})
  packtwin_warnings(pch_host)
  if(PACKTWIN_BUILD_TESTS)
    find_package(GTest REQUIRED)
    add_library(pch_test_deps INTERFACE)
    target_link_libraries(pch_test_deps INTERFACE pch_host_deps GTest::gtest)
    add_library(pch_test OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
    target_link_libraries(pch_test PRIVATE pch_test_deps)
    target_precompile_headers(pch_test PRIVATE ${packtwin_pch_headers} <gtest/gtest.h>)
    packtwin_warnings(pch_test)
  endif()
endfunction()

# True when TARGET builds host code with the project's common flags.
function(packtwin_pch_fits target out)
  set(${out} FALSE PARENT_SCOPE)
  get_target_property(type ${target} TYPE)
  if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY)$" OR target MATCHES "^pch_")
    return()
  endif()
  get_target_property(pic ${target} POSITION_INDEPENDENT_CODE)
  if(pic)
    return()  # the generated protobuf libraries
  endif()
  get_target_property(options ${target} COMPILE_OPTIONS)
  if(options AND options MATCHES "-fno-exceptions|--coverage|-O[0-3s]")
    return()
  endif()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# Gives every fitting target under DIR (recursively) one of the two headers:
# the test one when it links GoogleTest, the host one otherwise.
function(packtwin_pch_apply dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target ${targets})
    packtwin_pch_fits(${target} fits)
    if(NOT fits)
      continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    if(TARGET pch_test AND links MATCHES "GTest::")
      target_link_libraries(${target} PRIVATE pch_test_deps)
      target_precompile_headers(${target} REUSE_FROM pch_test)
    else()
      target_link_libraries(${target} PRIVATE pch_host_deps)
      target_precompile_headers(${target} REUSE_FROM pch_host)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    packtwin_pch_apply(${subdir})
  endforeach()
endfunction()
