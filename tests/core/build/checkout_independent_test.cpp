// A second checkout of the project on the same machine (a second CI run, a worktree) must reuse the first one's
// ccache. That only works when the compiler sees the same text in both: nothing the test programs compile may name
// the checkout's absolute folder. ccache's base_dir rewrites absolute paths in -I options and the source file name,
// but not the values of -D definitions, and Qt6::Test puts one into every test program: QT_TESTCASE_BUILDDIR, the
// build folder, which QTEST_MAIN expands into main(). Left as it was, all ~130 test programs missed ccache in a
// second checkout (issue 16 item 4: 128 of 446 compilations). tests/CMakeLists.txt sets it to ".".

#include <QTest>

class CheckoutIndependentTest : public QObject {
    Q_OBJECT
private slots:
    void testcaseBuildDirIsNotTheCheckoutFolder() {
#ifdef QT_TESTCASE_BUILDDIR
        const QString buildDir = QStringLiteral(QT_TESTCASE_BUILDDIR);
        QVERIFY2(!QDir::isAbsolutePath(buildDir),
                 qPrintable(QStringLiteral("QT_TESTCASE_BUILDDIR is '%1': every test's main() names this checkout, "
                                           "so a second checkout misses ccache")
                                .arg(buildDir)));
#endif
    }
};

QTEST_GUILESS_MAIN(CheckoutIndependentTest)
#include "checkout_independent_test.moc"
