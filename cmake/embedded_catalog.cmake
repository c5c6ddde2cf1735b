# Compiles config/models.json into the binary so `genq serve` works from any directory.
include(${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake)
genq_embed_file(${PROJECT_SOURCE_DIR}/config/models.json embedded_catalog genq::app
  ${CMAKE_BINARY_DIR}/generated/embedded_catalog.cpp FALLBACK "{}")  # "{}" until the catalog exists
