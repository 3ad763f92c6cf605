// Every `validation` and `admission` case of tests/conformance/cases.yaml: the workspace is built from the
// case's `ingresses` (the LAST document is the Ingress being created, the earlier ones already exist), then
// validate() must give the case's verdict, and each expected error must be there with its field path, its
// API error type and the expected words. Admission cases also check the webhook's message.
#include <QTest>

#include <yaml-cpp/yaml.h>

#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

YAML::Node loadCases() {
    const std::string path = (testing::sourceDir() + "/tests/conformance/cases.yaml").toStdString();
    return YAML::LoadFile(path);
}

YAML::Node findCase(const std::string& id) {
    YAML::Node cases = loadCases();
    for (std::size_t i = 0; i < cases.size(); ++i)
        if (cases[i]["id"].as<std::string>("") == id) return cases[i];
    return YAML::Node(YAML::NodeType::Undefined);
}

std::string configMapYaml(const YAML::Node& c) {
    const YAML::Node cfg = c["controller_config"];
    if (!cfg.IsDefined() || !cfg.IsMap()) return {};
    const YAML::Node cm = cfg["configmap"];
    if (!cm.IsDefined() || !cm.IsMap() || cm.size() == 0) return {};
    std::string out = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\ndata:\n";
    for (auto it = cm.begin(); it != cm.end(); ++it)
        out += "  " + it->first.Scalar() + ": \"" + it->second.Scalar() + "\"\n";
    return out + "---\n";
}

std::string describe(const Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds) out += "\n    [" + d.rule + "] " + apiTypeName(d.code) + " " + d.message();
    return out;
}

}  // namespace

class ValidationConformanceTest : public QObject {
    Q_OBJECT

private slots:
    void cases_data() {
        QTest::addColumn<QString>("id");
        YAML::Node cases = loadCases();
        QVERIFY(cases.IsSequence());
        int n = 0;
        for (const auto& c : cases) {
            const std::string cat = c["category"].as<std::string>("");
            if (cat != "validation" && cat != "admission") continue;
            const std::string id = c["id"].as<std::string>();
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
            ++n;
        }
        QVERIFY2(n >= 20, "expected the validation and admission cases of cases.yaml");
    }

    void cases() {
        QFETCH(QString, id);
        const YAML::Node c = findCase(id.toStdString());
        QVERIFY(c.IsDefined());
        const std::string category = c["category"].as<std::string>();
        const bool isAdmission = category == "admission";

        model::Workspace ws;
        yaml::readText(configMapYaml(c) + c["ingresses"].as<std::string>(), id.toStdString() + ".yaml", ws);
        const model::Resource* target = nullptr;
        for (const auto& r : ws.resources)
            if (r.kind == "Ingress") target = &r;
        QVERIFY2(target, "the case has no Ingress");

        const Diagnostics all = validation::validate(ws);
        Diagnostics errors;  // what decides the verdict for the Ingress being created
        for (const auto& d : all) {
            if (d.severity != Severity::Error) continue;
            if (!d.object.empty() && d.object != target->displayName()) continue;
            if (!isAdmission && d.rule != "apiserver" && d.rule != "decode" && d.rule != "yaml-syntax") continue;
            errors.push_back(d);
        }
        // Existing objects must be valid: nothing the case did not ask for is reported against them.
        for (const auto& d : all)
            QVERIFY2(!(d.severity == Severity::Error && d.object != target->displayName()),
                     qPrintable("error on an existing object: " + QString::fromStdString(d.message())));

        const YAML::Node expect = c["expect"];
        const bool accepted = expect["accepted"].as<bool>();
        QVERIFY2(accepted == errors.empty(),
                 qPrintable(QString("expected %1, got:%2").arg(accepted ? "accepted" : "rejected", QString::fromStdString(describe(errors)))));

        for (const auto& e : expect["errors"]) {
            const std::string field = e["field"].as<std::string>();
            const std::string type = e["type"].as<std::string>();
            const std::string words = e["detail_contains"].as<std::string>("");
            bool found = false;
            for (const auto& d : errors) {
                if (d.field != field || type != apiTypeName(d.code)) continue;
                if (!words.empty() && d.detail.find(words) == std::string::npos) continue;
                found = true;
                QVERIFY2(d.pos && d.pos->isValid(), "the error has no source position");
                QCOMPARE(d.object, target->displayName());
            }
            QVERIFY2(found, qPrintable(QString::fromStdString("missing " + field + " " + type + " \"" + words + "\"; got:" + describe(errors))));
        }
        if (expect["message_contains"].IsDefined()) {
            const std::string words = expect["message_contains"].as<std::string>();
            bool found = false;
            for (const auto& d : errors) found = found || d.message().find(words) != std::string::npos;
            QVERIFY2(found, qPrintable(QString::fromStdString("no message contains \"" + words + "\"; got:" + describe(errors))));
        }
    }
};

QTEST_GUILESS_MAIN(ValidationConformanceTest)
#include "validation_conformance_test.moc"
