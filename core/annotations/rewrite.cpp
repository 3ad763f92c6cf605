#include "core/annotations/rewrite.h"

#include <QRegularExpression>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"rewrite-target", ValueType::String, "", "", "Replaces the whole request path; $1..$n are the path regex's captures", "rewrite"},
    {"use-regex", ValueType::Bool, "false", "", "Treat paths as regexes; puts every path of the host into regex mode", "rewrite"},
    {"app-root", ValueType::Path, "", "", "Redirect (302) requests for / of the host to this path", "rewrite"},
    {"x-forwarded-prefix", ValueType::String, "", "", "X-Forwarded-Prefix sent upstream when a rewrite-target is active", "rewrite"},
};
}  // namespace

std::span<const AnnotationSpec> rewriteSpecs() { return SPECS; }

RewriteConfig parseRewrite(const AnnotationReader& r) {
    RewriteConfig c;
    c.target = r.string("rewrite-target");
    if (c.target && c.target->empty()) c.target.reset();
    c.useRegex = r.boolean("use-regex").value_or(false);
    if (auto a = r.string("app-root")) {
        if (!a->empty() && (*a)[0] == '/') c.appRoot = *a;
        else r.warn("app-root", "must be a relative path starting with '/'; absolute URLs are ignored by ingress-nginx (no redirect)");
    }
    if (auto p = r.string("x-forwarded-prefix"); p && !p->empty()) c.xForwardedPrefix = *p;
    return c;
}

std::shared_ptr<const QRegularExpression> makeRewriteRegex(const std::string& path) {
    auto re = std::make_shared<QRegularExpression>(QString::fromStdString(path), QRegularExpression::CaseInsensitiveOption);
    if (re->isValid()) re->optimize();
    return re;
}

std::optional<std::string> applyRewrite(const QRegularExpression& re, const std::string& target, const std::string& uri,
                                        const std::string& query) {
    if (!re.isValid()) return std::nullopt;
    auto m = re.match(QString::fromStdString(uri));
    if (!m.hasMatch()) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < target.size(); ++i) {
        char ch = target[i];
        if (ch == '$' && i + 1 < target.size() && target[i + 1] >= '0' && target[i + 1] <= '9') {
            int n = target[i + 1] - '0';
            if (n <= m.lastCapturedIndex()) out += m.captured(n).toStdString();
            ++i;
            continue;
        }
        out += ch;
    }
    // nginx: a replacement ending in '?' drops the original arguments; otherwise they are appended.
    if (!out.empty() && out.back() == '?') {
        out.pop_back();
        return out;
    }
    if (!query.empty()) out += (out.find('?') == std::string::npos ? "?" : "&") + query;
    return out;
}

}  // namespace ilab::annotations
