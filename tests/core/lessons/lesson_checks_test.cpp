// Issue 15 items 6 and 8: the checks.yaml format, lesson folders, and "Check my work" run for real: the local
// controller on free ports on its own control thread, the lesson's checks sent with libcurl. The canary lesson's
// step 3 (force the canary with a header) fails on the untouched workspace and passes once canary-by-header is
// added; the debugging lesson fails on its planted mistakes, each with the explainer's reason, and passes once
// they are fixed. The CLI form (ingress-lab-cli lesson check) exits 1 / 0 / 2.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "core/controller/local_controller.h"
#include "core/lessons/check_runner.h"
#include "core/lessons/generated_secrets.h"
#include "core/lessons/lesson_pack.h"
#include "core/yaml/yaml_reader.h"
#include "support/cli_run.h"

using namespace ilab;

namespace {

model::Workspace parse(const std::string& text) {
    model::Workspace ws;
    yaml::readText(lessons::fillGeneratedSecretsInText(text), "workspace.yaml", ws);
    return ws;
}

// The real controller on its own control thread, on free ports (as the GUI's lab and the CLI run it).
class LabRun {
public:
    explicit LabRun(const model::Workspace& ws) {
        m_thread.start();
        m_ctl = new controller::LocalController;
        m_ctl->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_ctl, &QObject::deleteLater);
        QObject context;
        bool done = false;
        QObject::connect(m_ctl, &controller::LocalController::started, &context, [&](const controller::ReadyInfo& info) {
            m_lab.httpPort = info.httpPort;
            m_lab.httpsPort = info.httpsPort;
            done = true;
        }, Qt::QueuedConnection);
        controller::StartOptions o;
        o.proxy.httpPort = 0;
        o.proxy.httpsPort = 0;
        o.adminPort = -1;
        auto* ctl = m_ctl;
        auto copy = std::make_shared<model::Workspace>(ws.clone());
        QMetaObject::invokeMethod(ctl, [ctl, copy, o] {
            ctl->setWorkspace(std::move(*copy));
            ctl->start(o);
        }, Qt::QueuedConnection);
        QVERIFY2(QTest::qWaitFor([&] { return done; }, 30000), "the local controller did not start within 30 s");
    }
    ~LabRun() {
        QObject context;
        bool done = false;
        QObject::connect(m_ctl, &controller::LocalController::stopped, &context, [&] { done = true; }, Qt::QueuedConnection);
        auto* ctl = m_ctl;
        QMetaObject::invokeMethod(ctl, [ctl] { ctl->stop(); }, Qt::QueuedConnection);
        // Not QVERIFY: its early return would leave the thread running when it is destroyed.
        if (!QTest::qWaitFor([&] { return done; }, 10000))
            QTest::qFail("the local controller did not stop within 10 s", __FILE__, __LINE__);
        m_thread.quit();
        m_thread.wait();
    }
    const lessons::LabAddress& lab() const { return m_lab; }
    // What the GUI does before a check: the edited workspace goes to the controller, synced at once.
    bool apply(const model::Workspace& ws) {
        // Queued to this thread (QSignalSpy::wait can miss a signal another thread emits before it waits).
        QObject context;
        bool done = false;
        QObject::connect(m_ctl, &controller::LocalController::synced, &context, [&] { done = true; }, Qt::QueuedConnection);
        auto* ctl = m_ctl;
        auto copy = std::make_shared<model::Workspace>(ws.clone());
        QMetaObject::invokeMethod(ctl, [ctl, copy] {
            ctl->setWorkspace(std::move(*copy));
            ctl->syncNow();
        }, Qt::QueuedConnection);
        return QTest::qWaitFor([&] { return done; }, 10000);
    }

private:
    QThread m_thread;
    controller::LocalController* m_ctl = nullptr;
    lessons::LabAddress m_lab;
};

const lessons::CheckOutcome* outcome(const lessons::CheckReport& r, int step, const std::string& namePart) {
    for (const auto& o : r.outcomes)
        if (o.step == step && o.name.find(namePart) != std::string::npos) return &o;
    return nullptr;
}

bool whyContains(const lessons::CheckOutcome* o, const std::string& part) {
    if (!o) return false;
    for (const auto& w : o->why)
        if (w.find(part) != std::string::npos) return true;
    return false;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    const std::size_t at = s.find(from);
    if (at == std::string::npos) return s;
    return s.replace(at, from.size(), to);
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

}  // namespace

class LessonChecksTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        qRegisterMetaType<controller::ReadyInfo>();
        qRegisterMetaType<controller::SyncResult>();
    }

    void parsesTheFormat() {
        auto r = lessons::parseChecks(R"(steps:
- step: 3
  title: Force the canary
  checks:
  - name: header
    request:
      method: OPTIONS
      url: http://api.example.com/version
      headers: {X-Canary: always}
    repeat: 20
    expect:
      status: 200
      service: agent-test
      share: {status: 503, min: 1, max: 2.5}
      location: https://x
      headers: {A: b}
      absentHeaders: [C]
  - request: {url: https://a.example.com/}
    expect: {certificate: fake}
)");
        QVERIFY2(r.ok(), r.ok() ? "" : r.message().c_str());
        QCOMPARE(r->steps.size(), size_t(1));
        QCOMPARE(r->count(), 2);
        const lessons::Check& c = r->steps[0].checks[0];
        QCOMPARE(r->steps[0].step, 3);
        QCOMPARE(c.request.method, std::string("OPTIONS"));
        QCOMPARE(c.repeat, 20);
        QCOMPARE(*c.expect.status, 200);
        QCOMPARE(*c.expect.service, std::string("agent-test"));
        QCOMPARE(*c.expect.share->status, 503);
        QCOMPARE(c.expect.share->max, 2.5);
        QCOMPARE(c.expect.headers.size(), size_t(1));
        QCOMPARE(c.expect.absentHeaders.front(), std::string("C"));
        QCOMPARE(c.line, 5);
        QCOMPARE(r->steps[0].checks[1].name, std::string("check 2"));
    }

    void badChecksSayWhereAndWhat_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax") << "steps:\n- step: 1\n  checks: [ {\n" << "checks.yaml:4:";
        QTest::newRow("not a map") << "- a\n- b\n" << "checks.yaml:1: the file must be a map";
        QTest::newRow("unknown key") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {status: 200, backend: x}\n"
                                     << "checks.yaml:4: unknown key \"backend\" in expect";
        QTest::newRow("no url") << "steps:\n- checks:\n  - request: {method: GET}\n    expect: {status: 200}\n"
                                << "checks.yaml:3: request needs a url";
        QTest::newRow("ftp url") << "steps:\n- checks:\n  - request: {url: ftp://a/}\n    expect: {status: 200}\n"
                                 << "request.url must start with http:// or https://";
        QTest::newRow("repeat") << "steps:\n- checks:\n  - request: {url: http://a/}\n    repeat: 100000\n    expect: {status: 200}\n"
                                << "checks.yaml:4: repeat must be between 1 and 2000";
        QTest::newRow("status text") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {status: ok}\n"
                                     << "expect.status must be a number, not \"ok\"";
        QTest::newRow("share both") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {share: {service: a, status: 200}}\n"
                                    << "expect.share needs exactly one of service or status";
        QTest::newRow("share range") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {share: {service: a, min: 50, max: 10}}\n"
                                     << "min is larger than";
        QTest::newRow("cert on http") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {certificate: fake}\n"
                                      << "expect.certificate needs an https:// request";
        QTest::newRow("empty expect") << "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {}\n"
                                      << "expect needs at least one of";
        QTest::newRow("no checks") << "steps:\n- step: 2\n  title: x\n" << "step 2 needs \"checks:\"";
    }
    void badChecksSayWhereAndWhat() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        auto r = lessons::parseChecks(text.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.message()).contains(message), r.message().c_str());
    }

    void everyBuiltInLessonLoadsWithChecks() {
        for (const char* id : {"canary", "tls", "host-routing", "path-routing", "rate-limit", "cors", "exercise-agents", "exercise-debugging"}) {
            auto l = lessons::loadBuiltinLesson(id);
            QVERIFY2(l.ok(), l.ok() ? id : l.message().c_str());
            QVERIFY2(l->checks.count() > 0, id);
            QVERIFY(!l->title.empty() && !l->summary.empty() && !l->guide.empty() && !l->workspace.empty());
            QVERIFY(l->builtIn);
        }
        QVERIFY(!lessons::loadBuiltinLesson("../canary").ok());
        QVERIFY(!lessons::loadBuiltinLesson("no-such-lesson").ok());
    }

    void badLessonFoldersGetAClearError() {
        QTemporaryDir dir;
        const QString d = dir.path();
        auto missing = lessons::loadLessonFolder((d + "/nope").toStdString());
        QCOMPARE(missing.error().code, lessons::LessonError::NotFound);
        QVERIFY(QString::fromStdString(missing.message()).contains("does not exist"));

        writeFile(d + "/file.txt", "x");
        QVERIFY(QString::fromStdString(lessons::loadLessonFolder((d + "/file.txt").toStdString()).message()).contains("is not a folder"));

        QDir(d).mkdir("lesson");
        const QString l = d + "/lesson";
        auto noGuide = lessons::loadLessonFolder(l.toStdString());
        QCOMPARE(noGuide.error().code, lessons::LessonError::MissingFile);
        QVERIFY(QString::fromStdString(noGuide.message()).contains("has no guide.md"));

        writeFile(l + "/guide.md", "# My lesson\n\n1. Do it.\n");
        QVERIFY(QString::fromStdString(lessons::loadLessonFolder(l.toStdString()).message()).contains("has no workspace.yaml"));

        writeFile(l + "/workspace.yaml", "kind: Service\nmetadata: {name: a\n");
        auto badWs = lessons::loadLessonFolder(l.toStdString());
        QCOMPARE(badWs.error().code, lessons::LessonError::BadWorkspace);
        QVERIFY2(QString::fromStdString(badWs.message()).startsWith("workspace.yaml:"), badWs.message().c_str());

        writeFile(l + "/workspace.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n");
        auto noChecks = lessons::loadLessonFolder(l.toStdString());
        QVERIFY(noChecks.ok());
        QCOMPARE(noChecks->title, std::string("My lesson"));
        QCOMPARE(noChecks->id, std::string("lesson"));
        QCOMPARE(noChecks->checks.count(), 0);

        writeFile(l + "/checks.yaml", "steps:\n- checks:\n  - request: {url: http://a/}\n    expect: {stauts: 200}\n");
        auto badChecks = lessons::loadLessonFolder(l.toStdString());
        QCOMPARE(badChecks.error().code, lessons::LessonError::BadChecks);
        QVERIFY2(QString::fromStdString(badChecks.message()).contains("checks.yaml:4: unknown key \"stauts\""), badChecks.message().c_str());

        writeFile(l + "/checks.yaml", QByteArray("steps:\0", 7));
        QVERIFY(QString::fromStdString(lessons::loadLessonFolder(l.toStdString()).message()).contains("not a text file"));

        writeFile(l + "/checks.yaml", "steps:\n- checks:\n  - request: {url: http://a.example.com/}\n    expect: {status: 404}\n");
        auto good = lessons::loadLessonFolder(l.toStdString());
        QVERIFY(good.ok());
        QCOMPARE(good->checks.count(), 1);
        QCOMPARE(good->settings.problems, lessons::ProblemsVisibility::Always);  // no lesson.yaml

        // lesson.yaml: the Problems panel setting; a bad value or an unknown key names the file and line.
        writeFile(l + "/lesson.yaml", "# settings\nproblems: after-check\n");
        auto exercise = lessons::loadLessonFolder(l.toStdString());
        QVERIFY2(exercise.ok(), exercise.ok() ? "" : exercise.message().c_str());
        QCOMPARE(exercise->settings.problems, lessons::ProblemsVisibility::AfterCheck);
        writeFile(l + "/lesson.yaml", "problems: later\n");
        auto badValue = lessons::loadLessonFolder(l.toStdString());
        QCOMPARE(badValue.error().code, lessons::LessonError::BadSettings);
        QCOMPARE(QString::fromStdString(badValue.message()), QString("lesson.yaml:1: problems must be always or after-check, not \"later\""));
        writeFile(l + "/lesson.yaml", "problems: always\ntabs: 2\n");
        QCOMPARE(QString::fromStdString(lessons::loadLessonFolder(l.toStdString()).message()),
                 QString("lesson.yaml:2: unknown key \"tabs\" (known: problems)"));
        writeFile(l + "/lesson.yaml", "problems: [after-check\n");
        QVERIFY(QString::fromStdString(lessons::loadLessonFolder(l.toStdString()).message()).startsWith("lesson.yaml:"));
    }

    // The debugging exercise hides its Problems until Check; the other built-in lessons show them.
    void builtInExerciseHidesProblemsUntilCheck() {
        QCOMPARE(lessons::loadBuiltinLesson("exercise-debugging")->settings.problems, lessons::ProblemsVisibility::AfterCheck);
        QCOMPARE(lessons::loadBuiltinLesson("canary")->settings.problems, lessons::ProblemsVisibility::Always);
    }

    // Step 3 asks for a change (canary-by-header); the untouched workspace fails it, the changed one passes.
    void canaryStepThreeFailsUntilTheHeaderIsAdded() {
        auto lesson = lessons::loadBuiltinLesson("canary");
        QVERIFY(lesson.ok());
        const model::Workspace untouched = parse(lesson->workspace);
        LabRun run(untouched);
        QVERIFY(run.lab().httpPort > 0);

        const lessons::CheckReport before = lessons::runChecks(lesson->checks, run.lab(), untouched);
        QVERIFY(!before.allPassed());
        QVERIFY(outcome(before, 1, "/version")->passed);
        QVERIFY(outcome(before, 2, "10 %")->passed);
        const lessons::CheckOutcome* always = outcome(before, 3, "always");
        QVERIFY(always && !always->passed);
        QVERIFY2(always->problems.front().find("expected every answer from agent-test") != std::string::npos, always->problems.front().c_str());
        QVERIFY(whyContains(always, "nothing in the route looks at the X-Canary header"));
        QVERIFY(whyContains(always, "canary default/version-canary"));
        QCOMPARE(before.failed, 2);

        const std::string weight = "    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n";
        const std::string changedText =
            replaced(lesson->workspace, weight, weight + "    nginx.ingress.kubernetes.io/canary-by-header: \"X-Canary\"\n");
        QVERIFY(changedText != lesson->workspace);
        const model::Workspace changed = parse(changedText);
        QVERIFY(run.apply(changed));
        const lessons::CheckReport after = lessons::runChecks(lesson->checks, run.lab(), changed);
        QVERIFY2(after.allPassed(), lessons::formatReport(after).c_str());
        QCOMPARE(after.passed, lesson->checks.count());
    }

    // The debugging exercise: every planted mistake fails its step with the explainer's reason; fixed, all pass.
    void debuggingLessonFailsUntilItsMistakesAreFixed() {
        auto lesson = lessons::loadBuiltinLesson("exercise-debugging");
        QVERIFY(lesson.ok());
        const model::Workspace planted = parse(lesson->workspace);
        LabRun run(planted);
        QVERIFY(run.lab().httpPort > 0 && run.lab().httpsPort > 0);

        const lessons::CheckReport before = lessons::runChecks(lesson->checks, run.lab(), planted);
        QVERIFY(!before.allPassed());
        QVERIFY(whyContains(outcome(before, 1, "/catalog"), "Service default/catalogue not found"));
        QVERIFY(whyContains(outcome(before, 2, "/cart"), "Service default/cart has no ready endpoints"));
        QVERIFY(whyContains(outcome(before, 3, "/checkout"), "Service default/checkout has no port web"));
        const lessons::CheckOutcome* cert = outcome(before, 4, "certificate");
        QVERIFY(cert && !cert->passed);
        QVERIFY2(cert->problems.front().find("Fake Certificate") != std::string::npos, cert->problems.front().c_str());
        QVERIFY(whyContains(cert, "Secret default/shop-tls not found"));
        QCOMPARE(cert->why.front(), std::string("Certificate: the controller's default (Fake Certificate)"));
        QCOMPARE(outcome(before, 1, "/catalog")->problems.size(), size_t(1));  // "expected status 200, got 503 ×3" says it all
        QCOMPARE(outcome(before, 1, "/catalog")->got, std::string("503 from the controller ×3"));

        // Fix one mistake: that step passes, the others still fail.
        std::string text = replaced(lesson->workspace, "name: catalogue", "name: catalog");
        model::Workspace ws = parse(text);
        QVERIFY(run.apply(ws));
        const lessons::CheckReport one = lessons::runChecks(lesson->checks, run.lab(), ws);
        QVERIFY(outcome(one, 1, "/catalog")->passed);
        QVERIFY(!outcome(one, 2, "/cart")->passed);

        text = replaced(text, "app: carts", "app: cart");
        text = replaced(text, "              name: web", "              name: http");
        text = replaced(text, "secretName: shop-tls", "secretName: shop-cert");
        ws = parse(text);
        QVERIFY(run.apply(ws));
        const lessons::CheckReport after = lessons::runChecks(lesson->checks, run.lab(), ws);
        QVERIFY2(after.allPassed(), lessons::formatReport(after).c_str());
    }

    // The lessons whose steps need no change pass on their untouched workspace (TLS: HTTPS, 308, the Fake
    // Certificate without SNI; CORS preflights; host and path routing; the rate limit's 503s).
    void untouchedLessonsPass_data() {
        QTest::addColumn<QString>("id");
        for (const char* id : {"tls", "host-routing", "path-routing", "rate-limit", "cors"}) QTest::newRow(id) << QString::fromLatin1(id);
    }
    void untouchedLessonsPass() {
        QFETCH(QString, id);
        auto lesson = lessons::loadBuiltinLesson(id.toStdString());
        QVERIFY(lesson.ok());
        const model::Workspace ws = parse(lesson->workspace);
        LabRun run(ws);
        QVERIFY(run.lab().httpPort > 0);
        const lessons::CheckReport r = lessons::runChecks(lesson->checks, run.lab(), ws);
        QVERIFY2(r.allPassed(), lessons::formatReport(r).c_str());
    }

    void cliLessonCheck() {
        QTemporaryDir dir;
        auto lesson = lessons::loadBuiltinLesson("canary");
        QVERIFY(lesson.ok());
        const auto untouched = testing::runCli({"lesson", "check", "canary"});
        QCOMPARE(untouched.exitCode, 1);
        QVERIFY(untouched.out.contains("FAIL Step 3 · X-Canary: always"));
        QVERIFY(untouched.out.contains("PASS Step 2"));

        const std::string weight = "    nginx.ingress.kubernetes.io/canary-weight: \"10\"\n";
        writeFile(dir.filePath("ws.yaml"),
                  QByteArray::fromStdString(replaced(lesson->workspace, weight, weight + "    nginx.ingress.kubernetes.io/canary-by-header: X-Canary\n")));
        const auto fixed = testing::runCli({"lesson", "check", "canary", "--workspace", dir.filePath("ws.yaml")});
        QCOMPARE(fixed.exitCode, 0);
        QVERIFY(fixed.out.contains("4 passed, 0 failed"));

        const auto bad = testing::runCli({"lesson", "check", dir.filePath("missing-lesson")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("does not exist"));
        const auto list = testing::runCli({"lesson", "list"});
        QCOMPARE(list.exitCode, 0);
        QVERIFY(list.out.contains("exercise-debugging"));
    }
};

QTEST_GUILESS_MAIN(LessonChecksTest)
#include "lesson_checks_test.moc"
