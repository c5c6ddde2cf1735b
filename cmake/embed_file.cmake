# genq_embed_file(SOURCE FUNCTION NAMESPACE OUTPUT [FALLBACK text]): compiles the file
# SOURCE into the binary as `std::string_view NAMESPACE::FUNCTION()`, generated into
# OUTPUT, so genq serves it from any directory. Editing SOURCE re-runs the configure
# step. Without SOURCE (a fresh tree) the function returns FALLBACK.
function(genq_embed_file SOURCE FUNCTION NAMESPACE OUTPUT)
  cmake_parse_arguments(EMBED "" "FALLBACK" "" ${ARGN})
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SOURCE})
  if(EXISTS ${SOURCE})
    file(READ ${SOURCE} EMBED_HEX HEX)
  else()
    string(HEX "${EMBED_FALLBACK}" EMBED_HEX)
  endif()
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," GENQ_EMBED_BYTES "${EMBED_HEX}")
  file(RELATIVE_PATH GENQ_EMBED_SOURCE ${PROJECT_SOURCE_DIR} ${SOURCE})
  set(GENQ_EMBED_FUNCTION ${FUNCTION})
  set(GENQ_EMBED_NAMESPACE ${NAMESPACE})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_file.cpp.in ${OUTPUT} @ONLY)
endfunction()
