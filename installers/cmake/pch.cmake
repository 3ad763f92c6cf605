# Precompiled headers for the Qt-heavy targets (issue 16 item 4), behind option ILAB_PCH (CMakeLists.txt).
# The headers are the ones most ui/ and tests/ui/ sources include (counted with grep); a header in a PCH must be
# one every user of the target can see, so project headers that change often stay out (a change would rebuild all).
# gcc: -fpch-preprocess lets ccache's preprocessor mode see the #pragma GCC pch_preprocess line, so cache hits
# survive (ccache manual, "Precompiled headers"); CMakeLists.txt sets the matching sloppiness.
set(ILAB_UI_PCH_HEADERS
  <algorithm> <functional> <memory> <optional> <string> <vector>
  <QApplication> <QComboBox> <QDateTime> <QDialog> <QFile> <QFormLayout> <QHash> <QHBoxLayout> <QHeaderView>
  <QLabel> <QLineEdit> <QMenu> <QMessageBox> <QObject> <QPlainTextEdit> <QPointer> <QPushButton> <QSpinBox>
  <QString> <QStringList> <QTimer> <QToolButton> <QTreeView> <QVBoxLayout> <QVector> <QWidget>
  <yaml-cpp/yaml.h>)

function(ilab_use_pch target)
  if(NOT ILAB_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${ILAB_UI_PCH_HEADERS})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fpch-preprocess)
  endif()
endfunction()

# Tests share one PCH built once (REUSE_FROM) instead of one per test program: a target with the same libraries,
# so the compile flags, which a PCH must match, are the tests' own.
function(ilab_test_pch_reuse target)
  if(NOT ILAB_PCH)
    return()
  endif()
  if(NOT TARGET ilab_ui_test_pch)
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/ilab_ui_test_pch.cpp "// PCH carrier for the ui tests\n")
    add_library(ilab_ui_test_pch OBJECT ${CMAKE_CURRENT_BINARY_DIR}/ilab_ui_test_pch.cpp)
    target_link_libraries(ilab_ui_test_pch PRIVATE ${ARGN})
    set_target_properties(ilab_ui_test_pch PROPERTIES AUTOMOC OFF)
    target_precompile_headers(ilab_ui_test_pch PRIVATE ${ILAB_UI_PCH_HEADERS} <QtTest> <QSignalSpy>)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(ilab_ui_test_pch PRIVATE -fpch-preprocess)
    endif()
  endif()
  target_precompile_headers(${target} REUSE_FROM ilab_ui_test_pch)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fpch-preprocess)
  endif()
endfunction()
