#include "core/validation/validator.h"

#include <ctime>
#include <set>
#include <tuple>

#include "core/routing/route_table.h"

#include "core/validation/admission.h"
#include "core/gateway/gateway_validation.h"
#include "core/validation/api_validation.h"
#include "core/validation/lint.h"

namespace ilab::validation {

namespace {

// The routing engine's compile diagnostics (annotation lint: unknown keys, invalid values, service-weights,
// keys not simulated, canary without main, ...). Those that repeat a finding of ours are dropped: the same
// (rule, object, field), a path conflict we already report on the same path, an unusable TLS Secret we
// already explain field by field, or a field the admission webhook already refused.
void appendRoutingDiagnostics(const model::Workspace& ws, const ValidationOptions& options, Diagnostics& out) {
    routing::ControllerSettings settings;
    settings.watchIngressWithoutClass = options.claimIngressesWithoutClass;  // as the admission checks assume
    if (const auto* cm = ws.controllerConfigMap()) settings.configMap = cm->data;
    const routing::CompileResult compiled = routing::RouteTable::compile(ws, settings);

    std::set<std::tuple<std::string, std::string, std::string>> seen;
    std::set<std::pair<std::string, std::string>> pathFindings;  // (object, field) of our overlap/duplicate rules
    std::set<std::string> tlsFindings;                            // objects with one of our tls-* findings
    std::set<std::pair<std::string, std::string>> admissionFindings;  // (object, field) the webhook refused
    for (const auto& d : out) {
        seen.emplace(d.rule, d.object, d.field);
        if (d.rule == "duplicate-host-path" || d.rule == "admission-overlap") pathFindings.emplace(d.object, d.field);
        if (d.rule.rfind("admission-", 0) == 0) admissionFindings.emplace(d.object, d.field);
        if (d.rule.rfind("tls-", 0) == 0) tlsFindings.insert(d.object);
    }
    for (const auto& d : compiled.diagnostics) {
        if (!seen.emplace(d.rule, d.object, d.field).second) continue;
        if (d.rule == "path-conflict" && pathFindings.count({d.object, d.field})) continue;
        if (d.rule == "tls-secret-unusable" && tlsFindings.count(d.object)) continue;
        if (admissionFindings.count({d.object, d.field})) continue;  // e.g. snippets, already refused by the webhook
        out.push_back(d);
    }
}

}  // namespace

Diagnostics validate(const model::Workspace& ws, const ValidationOptions& options) {
    Diagnostics out = ws.loadDiagnostics;

    ApiValidationOptions api;
    api.relaxedServiceNameValidation = options.relaxedServiceNameValidation;
    for (const auto& r : ws.resources) validateApiObject(r, api, out);
    {
        // Gateway API objects: their CRD schema and CEL rules (core/gateway/gateway_validation.h).
        const Diagnostics gw = gateway::validate(ws);
        out.insert(out.end(), gw.begin(), gw.end());
    }

    AdmissionOptions base;
    base.claimIngressesWithoutClass = options.claimIngressesWithoutClass;
    AdmissionOptions adm = admissionOptionsFrom(ws, base);
    if (options.allowSnippetAnnotations) {
        adm.allowSnippetAnnotations = true;
        const auto* cm = ws.controllerConfigMap();
        if (!cm || !cm->data.count("annotations-risk-level")) adm.annotationsRiskLevel = "Critical";
    }

    if (options.admissionWebhook) {
        // Each Ingress is admitted as if created after the ones that are older than it.
        // An Ingress the API server or the webhook refuses never exists, so it cannot collide with later ones.
        std::set<std::string> refused;
        for (const auto& d : out)
            if (d.severity == Severity::Error && !d.object.empty()) refused.insert(d.object);
        LocationIndex existing;
        for (const model::Resource* r : ingress_facts::ingressesByCreation(ws)) {
            const std::size_t before = out.size();
            checkAdmission(ws, *r, existing, adm, out);
            bool ok = !refused.count(r->displayName());
            for (std::size_t i = before; i < out.size(); ++i) ok = ok && out[i].severity != Severity::Error;
            if (ok && ingress_facts::isClaimed(ws, *r->as<model::Ingress>(), adm)) existing.add(*r);
        }
    }

    if (options.lint) {
        LintOptions lint;
        lint.now = options.now.value_or(static_cast<std::int64_t>(std::time(nullptr)));
        lint.admissionWebhook = options.admissionWebhook;
        lint.admission = adm;
        const Diagnostics sofar = out;
        lintWorkspace(ws, lint, sofar, out);
        appendRoutingDiagnostics(ws, options, out);
    }
    return out;
}

}  // namespace ilab::validation
