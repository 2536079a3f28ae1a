# packtwin_proto_library(TARGET DIR FILE): a static library of the C++ protoc
# generates from DIR/FILE (FILE relative to DIR, as its imports are), with
# the generated headers on its users' include path. Generated code is not
# held to our warning flags.
function(packtwin_proto_library target proto_dir proto_file)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated)
  string(REGEX REPLACE "\\.proto$" "" stem ${proto_file})
  add_custom_command(
    OUTPUT ${out}/${stem}.pb.cc ${out}/${stem}.pb.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND protobuf::protoc --cpp_out=${out} -I ${proto_dir} ${proto_dir}/${proto_file}
    DEPENDS ${proto_dir}/${proto_file}
    COMMENT "protoc ${proto_file}"
    VERBATIM)
  add_library(${target} STATIC ${out}/${stem}.pb.cc)
  target_include_directories(${target} SYSTEM PUBLIC ${out})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
