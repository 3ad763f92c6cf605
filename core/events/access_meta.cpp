#include "core/events/access_meta.h"

#include <array>
#include <cmath>

#include "core/events/line_log.h"
#include "core/events/log_format.h"

namespace ilab::events {

namespace {
void appendField(std::string& out, const std::string& value) {
    out.push_back('\t');
    for (char c : value) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
}
}  // namespace

std::string encodeAccessMeta(const proxy::AccessRecord& r) {
    std::string out;
    out.reserve(16 + r.host.size() + r.ingress.size() + r.podName.size());
    out += "v1";
    appendField(out, r.host);
    appendField(out, r.scheme);
    appendField(out, r.ingress);
    appendField(out, r.canary);
    appendField(out, r.podName);
    out += '\t';
    out += std::to_string(static_cast<long long>(std::llround(r.requestTimeSec * 1e6)));
    if (!r.errorReason.empty()) {
        appendField(out, r.errorReason);
        appendField(out, r.errorDetail);
    }
    return out;
}

AccessMeta decodeAccessMeta(std::string_view meta) {
    AccessMeta m;
    if (meta.substr(0, 3) != "v1\t") return m;
    std::array<std::string*, 5> fields{&m.host, &m.scheme, &m.ingress, &m.canary, &m.podName};
    std::size_t pos = 3;
    for (std::size_t i = 0; i < fields.size() && pos <= meta.size(); ++i) {
        std::size_t tab = meta.find('\t', pos);
        if (tab == std::string_view::npos) tab = meta.size();
        fields[i]->assign(meta.substr(pos, tab - pos));
        pos = tab + 1;
    }
    if (pos < meta.size()) {
        std::int64_t us = 0;
        const std::string_view digits = meta.substr(pos, meta.find('\t', pos) - pos);
        bool ok = !digits.empty() && digits.size() < 19;
        for (char c : digits) {
            if (c < '0' || c > '9') ok = false;
            else us = us * 10 + (c - '0');
        }
        if (ok) m.requestTimeUs = us;
        const std::size_t reasonAt = meta.find('\t', pos);
        if (reasonAt != std::string_view::npos) {
            const std::size_t detailAt = meta.find('\t', reasonAt + 1);
            m.errorReason.assign(meta.substr(reasonAt + 1, detailAt == std::string_view::npos ? std::string_view::npos
                                                                                              : detailAt - reasonAt - 1));
            if (detailAt != std::string_view::npos) m.errorDetail.assign(meta.substr(detailAt + 1));
        }
    }
    return m;
}

std::uint64_t appendAccessRecord(LineLog& log, const proxy::AccessRecord& record) {
    return log.append(formatAccessLog(record), encodeAccessMeta(record));
}

}  // namespace ilab::events
