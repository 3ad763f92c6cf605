#include "core/validation/validator.h"

#include <ctime>

#include "core/validation/admission.h"
#include "core/validation/api_validation.h"
#include "core/validation/lint.h"

namespace ilab::validation {

Diagnostics validate(const model::Workspace& ws, const ValidationOptions& options) {
    Diagnostics out = ws.loadDiagnostics;

    ApiValidationOptions api;
    api.relaxedServiceNameValidation = options.relaxedServiceNameValidation;
    for (const auto& r : ws.resources) validateApiObject(r, api, out);

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
        const auto ordered = ingress_facts::ingressesByCreation(ws);
        std::vector<const model::Resource*> existing;
        for (const model::Resource* r : ordered) {
            checkAdmission(ws, *r, existing, adm, out);
            existing.push_back(r);
        }
    }

    if (options.lint) {
        LintOptions lint;
        lint.now = options.now.value_or(static_cast<std::int64_t>(std::time(nullptr)));
        lint.admissionWebhook = options.admissionWebhook;
        lint.admission = adm;
        const Diagnostics sofar = out;
        lintWorkspace(ws, lint, sofar, out);
    }
    return out;
}

}  // namespace ilab::validation
