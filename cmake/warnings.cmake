# Warnings for our own code (errors with PACKTWIN_WERROR); generated protobuf code is exempt.
function(packtwin_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(PACKTWIN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# firmware/ also builds for the MCU: stricter, and narrowing must be spelled out.
function(packtwin_firmware_warnings target)
  packtwin_warnings(${target})
  target_compile_options(${target} PRIVATE -Wconversion -Wsign-conversion -fno-exceptions -fno-rtti)
endfunction()
