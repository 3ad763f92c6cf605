# Install rules and the Debian package (CPack DEB), included from the top CMakeLists.txt.
#   cmake -DCMAKE_INSTALL_PREFIX=/usr -DILAB_PACKAGING=ON ... && cmake --build ... && cpack   (installers/build-deb.sh)
# ILAB_PACKAGING=ON also generates the man pages (from the binaries' --help) and the compressed changelog; it is
# OFF for development builds so they run nothing extra.
include(GNUInstallDirs)
option(ILAB_PACKAGING "Generate man pages and docs for install/cpack" OFF)

set(ILAB_APP_ID io.github.ingresslab.IngressLab)
# The project's intended public home; screenshots are referenced by the raw-file URL of docs/screenshots/ there.
set(ILAB_HOMEPAGE_URL "https://github.com/ingress-lab/ingress-lab" CACHE STRING "Project home page (AppStream, .deb)")
set(ILAB_SCREENSHOT_BASE_URL "https://raw.githubusercontent.com/ingress-lab/ingress-lab/main/docs/screenshots"
    CACHE STRING "Public URL of docs/screenshots/ (AppStream metainfo)")
set(ILAB_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/ingress-lab)

# The release date (AppStream <release>, man pages) is the date of the top entry of the Debian changelog, whose
# version must be project(VERSION): the version has one source, the changelog only records it.
set(_ilab_changelog ${PROJECT_SOURCE_DIR}/installers/debian/changelog)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_ilab_changelog})
file(STRINGS ${_ilab_changelog} _ilab_cl_lines)
list(GET _ilab_cl_lines 0 _ilab_cl_head)
string(REGEX MATCH "^ingress-lab \\(([^)]+)\\)" _ "${_ilab_cl_head}")
set(_ilab_cl_version "${CMAKE_MATCH_1}")
if(NOT _ilab_cl_version STREQUAL PROJECT_VERSION)
  set(_msg "installers/debian/changelog's top entry is '${_ilab_cl_version}', project(VERSION) is '${PROJECT_VERSION}': "
           "add a changelog entry for ${PROJECT_VERSION}")
  if(ILAB_PACKAGING)
    message(FATAL_ERROR "${_msg}")
  else()
    message(WARNING "${_msg}")
  endif()
endif()
set(ILAB_RELEASE_DATE "")
foreach(line ${_ilab_cl_lines})
  if(line MATCHES "^ -- .*>  [A-Z][a-z][a-z], ([0-9][0-9]) ([A-Z][a-z][a-z]) ([0-9][0-9][0-9][0-9]) ")
    set(_months Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
    list(FIND _months ${CMAKE_MATCH_2} _m)
    math(EXPR _m "${_m} + 1")
    if(_m LESS 10)
      set(_m "0${_m}")
    endif()
    set(ILAB_RELEASE_DATE "${CMAKE_MATCH_3}-${_m}-${CMAKE_MATCH_1}")
    break()
  endif()
endforeach()
if(ILAB_RELEASE_DATE STREQUAL "")
  message(FATAL_ERROR "installers/debian/changelog: no ' -- Name <mail>  Day, DD Mon YYYY ...' trailer line")
endif()

# --- Binaries -----------------------------------------------------------------------------------------------------
install(TARGETS ingress-lab-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(ILAB_BUILD_GUI)
  install(TARGETS ingress-lab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# --- Desktop integration ------------------------------------------------------------------------------------------
set(_ilab_desktop ${PROJECT_SOURCE_DIR}/resources/desktop)
configure_file(${_ilab_desktop}/${ILAB_APP_ID}.metainfo.xml.in ${PROJECT_BINARY_DIR}/generated/${ILAB_APP_ID}.metainfo.xml @ONLY)
if(ILAB_BUILD_GUI)
  install(FILES ${_ilab_desktop}/${ILAB_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_BINARY_DIR}/generated/${ILAB_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  # The icon: resources/icons/app.svg (also compiled into the app), and PNGs rendered from it and committed
  # (rsvg-convert -w N -h N resources/icons/app.svg; re-render them when app.svg changes).
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/app.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${ILAB_APP_ID}.svg)
  foreach(size 16 22 24 32 48 64 128 256)
    install(FILES ${_ilab_desktop}/icons/${size}x${size}/${ILAB_APP_ID}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
endif()
install(FILES ${PROJECT_SOURCE_DIR}/resources/completion/ingress-lab-cli
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${PROJECT_SOURCE_DIR}/installers/debian/copyright DESTINATION ${ILAB_DOC_DIR})

# --- Generated docs: man pages from --help, the gzipped changelog -------------------------------------------------
if(ILAB_PACKAGING)
  find_program(ILAB_GZIP gzip REQUIRED)
  set(_ilab_gen ${PROJECT_BINARY_DIR}/generated)
  set(_ilab_man_targets ingress-lab-cli)
  if(ILAB_BUILD_GUI)
    list(APPEND _ilab_man_targets ingress-lab)
  endif()
  set(_ilab_docs ${_ilab_gen}/changelog.gz)
  foreach(t ${_ilab_man_targets})
    add_custom_command(OUTPUT ${_ilab_gen}/man/${t}.1.gz
      COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:${t}> -DNAME=${t} -DVERSION=${PROJECT_VERSION}
              -DDATE=${ILAB_RELEASE_DATE} -DOUT=${_ilab_gen}/man/${t}.1 -P ${PROJECT_SOURCE_DIR}/installers/cmake/gen_manpage.cmake
      COMMAND ${ILAB_GZIP} -9nf ${_ilab_gen}/man/${t}.1
      DEPENDS ${t} ${PROJECT_SOURCE_DIR}/installers/cmake/gen_manpage.cmake
      COMMENT "Generating the ${t}(1) man page from its --help" VERBATIM)
    list(APPEND _ilab_docs ${_ilab_gen}/man/${t}.1.gz)
    install(FILES ${_ilab_gen}/man/${t}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endforeach()
  add_custom_command(OUTPUT ${_ilab_gen}/changelog.gz
    COMMAND ${ILAB_GZIP} -9nc ${_ilab_changelog} > ${_ilab_gen}/changelog.gz
    DEPENDS ${_ilab_changelog} VERBATIM)
  add_custom_target(ilab_docs ALL DEPENDS ${_ilab_docs})
  install(FILES ${_ilab_gen}/changelog.gz DESTINATION ${ILAB_DOC_DIR})
endif()

# --- CPack: one .deb, ingress-lab_<version>_<arch>.deb ------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ingress-lab)
set(CPACK_PACKAGE_VENDOR "Ingress Lab developers")
set(CPACK_PACKAGE_CONTACT "Ingress Lab developers <ingress-lab@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "design and test Kubernetes Ingress routing locally")
set(CPACK_PACKAGE_DESCRIPTION "Ingress Lab lays out the hosts, paths, TLS secrets and traffic weights of
Kubernetes Ingresses visually, with the YAML beside it, and runs that routing
for real on the local computer: a TLS-terminating reverse proxy that behaves
like ingress-nginx, or like the Ingress specification, in front of simulated
pods, with live charts, controller-style events and an explainer for every
routing decision.
The package contains the desktop application (ingress-lab) and the
command-line tool for CI and scripts (ingress-lab-cli: validate, export,
route, serve, traffic, test).")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${ILAB_HOMEPAGE_URL})
# Library dependencies come from the binaries (dpkg-shlibdeps). Listed by hand only what the app loads at run time
# and no ELF dependency shows: the SVG icon engine and image plugin (libqt6svg6: plugins/iconengines/libqsvgicon.so,
# plugins/imageformats/libqsvg.so) for its SVG icons. The xcb platform plugin ships in libqt6gui6 and the OpenSSL
# TLS backend in libqt6network6, both pulled in by shlibdeps; qt6-qpa-plugins holds only vnc/tuio, not needed.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "curl")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "kubernetes-client | kubectl")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
