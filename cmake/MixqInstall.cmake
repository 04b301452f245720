# `cmake --install build --prefix P` installs headers, static libraries, the CLI, the presets
# and a CMake package, so that another project does find_package(mixq) and links mixq::costmodel.
include(CMakePackageConfigHelpers)
install(TARGETS mixq RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mixq/configs)
install(EXPORT mixqTargets NAMESPACE mixq:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mixq)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mixqConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mixqConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mixq)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mixqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mixqConfig.cmake ${PROJECT_BINARY_DIR}/mixqConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mixq)
