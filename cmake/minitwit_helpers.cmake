# minitwit_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One static library per folder, aliased as minitwit::NAME; headers are included as
# "NAME/header.hpp" from the project root.
function(minitwit_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(minitwit_${name} STATIC ${arg_SOURCES})
  add_library(minitwit::${name} ALIAS minitwit_${name})
  target_include_directories(minitwit_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(minitwit_${name} PUBLIC ${arg_PUBLIC_DEPS} PRIVATE ${arg_PRIVATE_DEPS})
endfunction()

# minitwit_tool(NAME SOURCES ... DEPS ...): an executable placed in <build>/bin.
function(minitwit_tool name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()
