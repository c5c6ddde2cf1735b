# Compiles config/models.json into the binary so `genq serve` works from any directory.
set(GENQ_CATALOG_JSON ${PROJECT_SOURCE_DIR}/config/models.json)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${GENQ_CATALOG_JSON})
if(EXISTS ${GENQ_CATALOG_JSON})
  file(READ ${GENQ_CATALOG_JSON} GENQ_CATALOG_HEX HEX)
else()
  set(GENQ_CATALOG_HEX "7b7d")  # "{}" until the catalog exists
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," GENQ_CATALOG_BYTES "${GENQ_CATALOG_HEX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_catalog.cpp.in ${CMAKE_BINARY_DIR}/generated/embedded_catalog.cpp @ONLY)
