#include "core/loadgen/results.h"

#include "core/loadgen/error_response.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <tuple>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ilab::loadgen {

std::string_view errorKindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::None: return "none";
    case ErrorKind::Refused: return "refused";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Tls: return "tls";
    case ErrorKind::Dns: return "dns";
    case ErrorKind::Other: return "other";
    }
    return "other";
}

std::string normalizeErrorMessage(std::string_view message) {
    // Replace the number in "after <digits> ms" / "after <digits> milliseconds" and "with <digits> bytes".
    std::string out;
    out.reserve(message.size());
    size_t i = 0;
    auto replaceNumberAfter = [&](std::string_view word) {
        if (message.substr(i, word.size()) != word) return false;
        size_t j = i + word.size();
        const size_t digitsStart = j;
        while (j < message.size() && std::isdigit(static_cast<unsigned char>(message[j]))) ++j;
        if (j == digitsStart) return false;
        out.append(word);
        out += 'N';
        i = j;
        return true;
    };
    while (i < message.size()) {
        if (replaceNumberAfter("after ") || replaceNumberAfter("with ") || replaceNumberAfter("out of ")) continue;
        out += message[i++];
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

Results::Results(size_t recordLimit) : m_recordLimit(recordLimit) {}

uint32_t Results::intern(IdMap& map, std::vector<std::string>& names, std::string_view key, size_t cap,
                         std::string_view overflowName) {
    auto it = map.find(key);
    if (it != map.end()) return it->second;
    if (names.size() >= cap) {
        auto ov = map.find(overflowName);
        if (ov != map.end()) return ov->second;
        key = overflowName;
    }
    const auto id = static_cast<uint32_t>(names.size());
    names.emplace_back(key);
    map.emplace(std::string(key), id);
    return id;
}

SecondStats& Results::secondFor(int64_t completedUs) {
    const int64_t second = std::max<int64_t>(0, completedUs / 1'000'000);
    if (m_series.empty()) {
        m_series.push_back({});
        m_series.back().second = 0;
    }
    // Completions arrive in time order on one thread; a (rare) earlier timestamp counts into the open second.
    while (m_series.back().second < second) {
        closeSecond(m_series.back());
        SecondStats next;
        next.second = m_series.back().second + 1;
        m_series.push_back(std::move(next));
    }
    return m_series.back();
}

void Results::closeSecond(SecondStats& s) {
    if (s.closed) return;
    s.p50Us = m_secondLatency.percentile(0.50);
    s.p90Us = m_secondLatency.percentile(0.90);
    s.p99Us = m_secondLatency.percentile(0.99);
    s.maxUs = m_secondLatency.max();
    s.closed = true;
    m_secondLatency.reset();
}

void Results::add(RequestRecord rec, int64_t completedUs, std::string_view backendKey,
                  const BackendIdentity& identity, std::string_view body, std::string_view errorMessage,
                  std::string_view reasonHeader, const std::string* allowOrigin) {
    SecondStats& second = secondFor(completedUs);
    // The per-target outcome (status, backend, CORS answer); the backend part is filled in below.
    auto countAnswer = [&](std::string_view backend) {
        m_answerScratch.assign(std::to_string(rec.target)).append("\x1f").append(std::to_string(rec.status));
        m_answerScratch.append("\x1f").append(backend).append("\x1f").append(allowOrigin ? "1" : "0");
        if (allowOrigin) m_answerScratch.append(*allowOrigin);
        const size_t before = m_answerKeys.size();
        const uint32_t id = intern(m_answerIds, m_answerKeys, m_answerScratch, MAX_ERROR_MESSAGES, "0\x1f0\x1f(other answers)\x1f0");
        if (m_answerKeys.size() > before) m_answerCounts.push_back(0);
        ++m_answerCounts[id];
    };
    ++second.completed;
    if (rec.error == ErrorKind::None) {
        ++m_responses;
        m_bytes += static_cast<uint64_t>(std::max<int64_t>(0, rec.bytes));
        ++m_statuses[rec.status];
        m_latency.record(rec.totalUs);
        m_secondLatency.record(rec.totalUs);
        const int cls = rec.status >= 100 && rec.status < 600 ? rec.status / 100 : 0;
        ++second.statusClasses[static_cast<size_t>(cls)];

        LocalError local;
        if (localError(rec.status, body, reasonHeader, local)) {
            // The controller's own answer: counted by cause, never as a backend.
            ++m_errorResponses;
            ++second.errorResponses;
            m_errorResponseScratch.assign(std::to_string(rec.status)).append("\x1f").append(local.reason);
            m_errorResponseScratch.append("\x1f").append(local.detail);
            const size_t before = m_errorResponseKeys.size();
            const uint32_t id = intern(m_errorResponseIds, m_errorResponseKeys, m_errorResponseScratch,
                                       MAX_ERROR_MESSAGES, "0\x1f(other errors)\x1f");
            if (m_errorResponseKeys.size() > before) m_errorResponseCounts.push_back(0);
            ++m_errorResponseCounts[id];
            countAnswer({});
            rec.backend = NO_ID;
            rec.body = intern(m_bodyIds, m_bodies, body, MAX_BODIES, "(other bodies)");
            if (m_bodyCounts.size() < m_bodies.size()) m_bodyCounts.resize(m_bodies.size(), 0);
            ++m_bodyCounts[rec.body];
            if (m_records.size() < m_recordLimit)
                m_records.push_back(rec);
            else
                ++m_droppedRecords;
            return;
        }

        rec.backend = intern(m_backendIds, m_backendNames, backendKey, MAX_BACKENDS, "(other backends)");
        if (m_backendCounts.size() < m_backendNames.size()) m_backendCounts.resize(m_backendNames.size(), 0);
        ++m_backendCounts[rec.backend];
        if (second.perBackend.size() <= rec.backend) second.perBackend.resize(rec.backend + 1, 0);
        ++second.perBackend[rec.backend];
        // A redirect or a CORS preflight answered by the controller itself (nginx's page, or no body) names no backend.
        countAnswer(backendKey.empty() || isNginxErrorPage(body) ? std::string_view() : std::string_view(m_backendNames[rec.backend]));

        if (!identity.pod.empty()) {
            m_podScratch.assign(identity.ns).append("/").append(identity.pod);
            const size_t before = m_podKeys.size();
            const uint32_t podId = intern(m_podIds, m_podKeys, m_podScratch, MAX_BACKENDS, "(other pods)");
            if (m_podKeys.size() > before) {
                PodCount pc;
                pc.backend = std::string(m_backendNames[rec.backend]);
                if (m_podKeys[podId] == m_podScratch) {
                    pc.ns = std::string(identity.ns);
                    pc.pod = std::string(identity.pod);
                    pc.version = std::string(identity.version);
                } else {
                    pc.pod = m_podKeys[podId];
                }
                m_pods.push_back(std::move(pc));
            }
            ++m_pods[podId].count;
        }

        rec.body = intern(m_bodyIds, m_bodies, body, MAX_BODIES, "(other bodies)");
        if (m_bodyCounts.size() < m_bodies.size()) m_bodyCounts.resize(m_bodies.size(), 0);
        ++m_bodyCounts[rec.body];
    } else {
        ++m_errors;
        ++second.errors;
        ++m_errorsByKind[static_cast<size_t>(rec.error)];
        rec.backend = NO_ID;
        rec.body = NO_ID;
        m_errorScratch = std::string(errorKindName(rec.error)) + '\x1f' + normalizeErrorMessage(errorMessage);
        const size_t before = m_errorTexts.size();
        rec.errorMessage = intern(m_errorIds, m_errorTexts, m_errorScratch, MAX_ERROR_MESSAGES, "other\x1f(other errors)");
        if (m_errorTexts.size() > before) {
            m_errorTextCounts.push_back(0);
            m_errorTextKinds.push_back(m_errorTexts.back() == m_errorScratch ? rec.error : ErrorKind::Other);
        }
        ++m_errorTextCounts[rec.errorMessage];
        countAnswer({});
    }
    if (m_records.size() < m_recordLimit)
        m_records.push_back(rec);
    else
        ++m_droppedRecords;
}

void Results::addCertificate(uint16_t target, std::string_view subject, std::string_view subjectAltName) {
    std::string key = std::to_string(target);
    key.append("\x1f").append(subject).append("\x1f").append(subjectAltName);
    const size_t before = m_certificateKeys.size();
    const uint32_t id = intern(m_certificateIds, m_certificateKeys, key, MAX_ERROR_MESSAGES, "0\x1f(other certificates)\x1f");
    if (m_certificateKeys.size() > before) m_certificateCounts.push_back(0);
    ++m_certificateCounts[id];
}

std::vector<TargetAnswer> Results::targetAnswers() const {
    std::vector<TargetAnswer> out;
    out.reserve(m_answerKeys.size());
    for (size_t i = 0; i < m_answerKeys.size(); ++i) {
        const std::string& k = m_answerKeys[i];
        const size_t a = k.find('\x1f'), b = k.find('\x1f', a + 1), c = k.find('\x1f', b + 1);
        TargetAnswer t;
        t.target = static_cast<uint16_t>(std::atoi(k.substr(0, a).c_str()));
        t.status = std::atoi(k.substr(a + 1, b - a - 1).c_str());
        t.backend = k.substr(b + 1, c - b - 1);
        t.hasAllowOrigin = c + 1 < k.size() && k[c + 1] == '1';
        if (t.hasAllowOrigin) t.allowOrigin = k.substr(c + 2);
        t.count = m_answerCounts[i];
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const TargetAnswer& x, const TargetAnswer& y) {
        if (x.target != y.target) return x.target < y.target;
        if (x.count != y.count) return x.count > y.count;
        return std::tie(x.status, x.backend, x.allowOrigin) < std::tie(y.status, y.backend, y.allowOrigin);
    });
    return out;
}

std::vector<TargetCertificate> Results::certificates() const {
    std::vector<TargetCertificate> out;
    for (size_t i = 0; i < m_certificateKeys.size(); ++i) {
        const std::string& k = m_certificateKeys[i];
        const size_t a = k.find('\x1f'), b = k.find('\x1f', a + 1);
        TargetCertificate t;
        t.target = static_cast<uint16_t>(std::atoi(k.substr(0, a).c_str()));
        t.subject = k.substr(a + 1, b - a - 1);
        t.subjectAltName = b == std::string::npos ? std::string() : k.substr(b + 1);
        t.handshakes = m_certificateCounts[i];
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const TargetCertificate& x, const TargetCertificate& y) {
        if (x.target != y.target) return x.target < y.target;
        return x.handshakes != y.handshakes ? x.handshakes > y.handshakes : x.subject < y.subject;
    });
    return out;
}

void Results::finish(int64_t elapsedUs, uint64_t cancelled) {
    if (!m_series.empty()) closeSecond(m_series.back());
    m_elapsedUs = elapsedUs;
    m_cancelled = cancelled;
    m_finished = true;
}

void Results::merge(const Results& o) {
    m_responses += o.m_responses;
    m_errorResponses += o.m_errorResponses;
    for (size_t i = 0; i < o.m_errorResponseKeys.size(); ++i) {
        const size_t before = m_errorResponseKeys.size();
        const uint32_t id = intern(m_errorResponseIds, m_errorResponseKeys, o.m_errorResponseKeys[i],
                                   MAX_ERROR_MESSAGES, "0\x1f(other errors)\x1f");
        if (m_errorResponseKeys.size() > before) m_errorResponseCounts.push_back(0);
        m_errorResponseCounts[id] += o.m_errorResponseCounts[i];
    }
    for (size_t i = 0; i < o.m_answerKeys.size(); ++i) {
        const size_t before = m_answerKeys.size();
        const uint32_t id = intern(m_answerIds, m_answerKeys, o.m_answerKeys[i], MAX_ERROR_MESSAGES, "0\x1f0\x1f(other answers)\x1f0");
        if (m_answerKeys.size() > before) m_answerCounts.push_back(0);
        m_answerCounts[id] += o.m_answerCounts[i];
    }
    for (size_t i = 0; i < o.m_certificateKeys.size(); ++i) {
        const size_t before = m_certificateKeys.size();
        const uint32_t id = intern(m_certificateIds, m_certificateKeys, o.m_certificateKeys[i], MAX_ERROR_MESSAGES, "0\x1f(other certificates)\x1f");
        if (m_certificateKeys.size() > before) m_certificateCounts.push_back(0);
        m_certificateCounts[id] += o.m_certificateCounts[i];
    }
    m_errors += o.m_errors;
    m_cancelled += o.m_cancelled;
    m_bytes += o.m_bytes;
    m_elapsedUs = std::max(m_elapsedUs, o.m_elapsedUs);
    m_finished = m_finished || o.m_finished;
    m_latency.merge(o.m_latency);
    for (const auto& [code, count] : o.m_statuses) m_statuses[code] += count;
    for (size_t k = 0; k < m_errorsByKind.size(); ++k) m_errorsByKind[k] += o.m_errorsByKind[k];

    std::vector<uint32_t> backendMap(o.m_backendNames.size());
    for (size_t i = 0; i < o.m_backendNames.size(); ++i) {
        backendMap[i] = intern(m_backendIds, m_backendNames, o.m_backendNames[i], MAX_BACKENDS, "(other backends)");
        if (m_backendCounts.size() < m_backendNames.size()) m_backendCounts.resize(m_backendNames.size(), 0);
        m_backendCounts[backendMap[i]] += o.m_backendCounts[i];
    }
    for (size_t i = 0; i < o.m_pods.size(); ++i) {
        const size_t before = m_podKeys.size();
        const uint32_t id = intern(m_podIds, m_podKeys, o.m_podKeys[i], MAX_BACKENDS, "(other pods)");
        if (m_podKeys.size() > before) {
            PodCount pc = o.m_pods[i];
            pc.count = 0;
            m_pods.push_back(std::move(pc));
        }
        m_pods[id].count += o.m_pods[i].count;
    }
    std::vector<uint32_t> bodyMap(o.m_bodies.size());
    for (size_t i = 0; i < o.m_bodies.size(); ++i) {
        bodyMap[i] = intern(m_bodyIds, m_bodies, o.m_bodies[i], MAX_BODIES, "(other bodies)");
        if (m_bodyCounts.size() < m_bodies.size()) m_bodyCounts.resize(m_bodies.size(), 0);
        m_bodyCounts[bodyMap[i]] += o.m_bodyCounts[i];
    }
    std::vector<uint32_t> errorMap(o.m_errorTexts.size());
    for (size_t i = 0; i < o.m_errorTexts.size(); ++i) {
        const size_t before = m_errorTexts.size();
        errorMap[i] = intern(m_errorIds, m_errorTexts, o.m_errorTexts[i], MAX_ERROR_MESSAGES, "other\x1f(other errors)");
        if (m_errorTexts.size() > before) {
            m_errorTextCounts.push_back(0);
            m_errorTextKinds.push_back(m_errorTexts.back() == o.m_errorTexts[i] ? o.m_errorTextKinds[i] : ErrorKind::Other);
        }
        m_errorTextCounts[errorMap[i]] += o.m_errorTextCounts[i];
    }

    for (const auto& os : o.m_series) {
        const auto index = static_cast<size_t>(os.second);
        while (m_series.size() <= index) {
            SecondStats next;
            next.second = static_cast<int64_t>(m_series.size());
            next.closed = true;
            m_series.push_back(std::move(next));
        }
        m_series[index].add(os, [&](size_t b) { return size_t(backendMap[b]); });
    }

    const size_t firstNew = m_records.size();
    for (RequestRecord rec : o.m_records) {
        if (m_records.size() >= m_recordLimit) {
            ++m_droppedRecords;
            continue;
        }
        if (rec.backend != NO_ID) rec.backend = backendMap[rec.backend];
        if (rec.body != NO_ID) rec.body = bodyMap[rec.body];
        if (rec.errorMessage != NO_ID) rec.errorMessage = errorMap[rec.errorMessage];
        m_records.push_back(rec);
    }
    m_droppedRecords += o.m_droppedRecords;
    if (firstNew < m_records.size())
        std::stable_sort(m_records.begin(), m_records.end(),
                         [](const RequestRecord& a, const RequestRecord& b) { return a.offsetUs < b.offsetUs; });
}

double Results::requestsPerSecond() const {
    return m_elapsedUs > 0 ? static_cast<double>(total()) * 1e6 / static_cast<double>(m_elapsedUs) : 0;
}

namespace {

std::vector<NamedCount> sortedCounts(std::vector<NamedCount> v) {
    std::sort(v.begin(), v.end(), [](const NamedCount& a, const NamedCount& b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    });
    return v;
}

}  // namespace

std::vector<NamedCount> Results::backends() const {
    std::vector<NamedCount> out;
    out.reserve(m_backendNames.size());
    for (size_t i = 0; i < m_backendNames.size(); ++i) out.push_back({m_backendNames[i], m_backendCounts[i]});
    return sortedCounts(std::move(out));
}

uint64_t Results::backendCount(std::string_view key) const {
    auto it = m_backendIds.find(key);
    return it == m_backendIds.end() ? 0 : m_backendCounts[it->second];
}

std::vector<PodCount> Results::pods() const {
    std::vector<PodCount> out = m_pods;
    std::sort(out.begin(), out.end(), [](const PodCount& a, const PodCount& b) {
        return a.backend != b.backend ? a.backend < b.backend : a.pod < b.pod;
    });
    return out;
}

std::vector<ErrorCount> Results::errorMessages() const {
    std::vector<ErrorCount> out;
    for (size_t i = 0; i < m_errorTexts.size(); ++i) {
        const std::string& t = m_errorTexts[i];
        const size_t sep = t.find('\x1f');
        out.push_back({m_errorTextKinds[i], sep == std::string::npos ? t : t.substr(sep + 1), m_errorTextCounts[i]});
    }
    std::sort(out.begin(), out.end(), [](const ErrorCount& a, const ErrorCount& b) {
        return a.count != b.count ? a.count > b.count : a.message < b.message;
    });
    return out;
}

std::vector<ErrorResponseCount> Results::errorResponseGroups() const {
    std::vector<ErrorResponseCount> out;
    out.reserve(m_errorResponseKeys.size());
    for (size_t i = 0; i < m_errorResponseKeys.size(); ++i) {
        const std::string& k = m_errorResponseKeys[i];
        const size_t a = k.find('\x1f');
        const size_t b = k.find('\x1f', a + 1);
        ErrorResponseCount e;
        e.status = std::atoi(k.substr(0, a).c_str());
        e.reason = k.substr(a + 1, b - a - 1);
        e.detail = b == std::string::npos ? std::string() : k.substr(b + 1);
        e.count = m_errorResponseCounts[i];
        out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const ErrorResponseCount& x, const ErrorResponseCount& y) {
        if (x.count != y.count) return x.count > y.count;
        if (x.status != y.status) return x.status < y.status;
        return x.reason != y.reason ? x.reason < y.reason : x.detail < y.detail;
    });
    return out;
}

std::vector<NamedCount> Results::bodies() const {
    std::vector<NamedCount> out;
    out.reserve(m_bodies.size());
    for (size_t i = 0; i < m_bodies.size(); ++i) out.push_back({bodyLine(m_bodies[i], m_bodies[i].size()), m_bodyCounts[i]});
    return sortedCounts(std::move(out));
}

std::string_view Results::backendName(uint32_t id) const {
    return id < m_backendNames.size() ? std::string_view(m_backendNames[id]) : std::string_view();
}

std::string Results::bodyText(uint32_t id) const {
    return id < m_bodies.size() ? bodyLine(m_bodies[id], m_bodies[id].size()) : std::string();
}

std::string_view Results::errorMessage(uint32_t id) const {
    if (id >= m_errorTexts.size()) return {};
    std::string_view t = m_errorTexts[id];
    const size_t sep = t.find('\x1f');
    return sep == std::string_view::npos ? t : t.substr(sep + 1);
}

ShareCheck Results::checkShare(const ShareExpectation& expectation, double confidence) const {
    return loadgen::checkShare(backendCount(expectation.backend), m_responses, expectation.share, confidence);
}

std::string Results::toJson(const std::vector<ShareExpectation>& expectations,
                            const std::vector<std::string>& targetLabels) const {
    auto qs = [](std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); };
    auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
    QJsonObject root;
    root["total"] = static_cast<qint64>(total());
    root["responses"] = static_cast<qint64>(m_responses);
    root["errors"] = static_cast<qint64>(m_errors);
    root["errorResponses"] = static_cast<qint64>(m_errorResponses);
    root["backendResponses"] = static_cast<qint64>(backendResponses());
    root["cancelled"] = static_cast<qint64>(m_cancelled);
    root["bytes"] = static_cast<qint64>(m_bytes);
    root["elapsedSeconds"] = elapsedSeconds();
    root["requestsPerSecond"] = requestsPerSecond();

    QJsonArray backendsJson;
    for (const auto& b : backends()) {
        QJsonObject o;
        o["backend"] = qs(b.name);
        o["count"] = static_cast<qint64>(b.count);
        const ShareInterval ci = wilsonInterval(b.count, m_responses);
        o["share"] = ci.observed;
        o["ciLow"] = ci.low;
        o["ciHigh"] = ci.high;
        QJsonArray podsJson;
        for (const auto& p : m_pods) {
            if (p.backend != b.name) continue;
            podsJson.append(QJsonObject{{"namespace", qs(p.ns)},
                                        {"pod", qs(p.pod)},
                                        {"version", qs(p.version)},
                                        {"count", static_cast<qint64>(p.count)}});
        }
        o["pods"] = podsJson;
        backendsJson.append(o);
    }
    root["backends"] = backendsJson;

    QJsonArray expectJson;
    for (const auto& e : expectations) {
        const ShareCheck c = checkShare(e);
        expectJson.append(QJsonObject{{"backend", qs(e.backend)},
                                      {"expected", e.share},
                                      {"observed", c.interval.observed},
                                      {"count", static_cast<qint64>(c.hits)},
                                      {"ciLow", c.interval.low},
                                      {"ciHigh", c.interval.high},
                                      {"pValue", c.pValue},
                                      {"consistent", c.consistent},
                                      {"verdict", qs(c.verdict)}});
    }
    root["expectations"] = expectJson;

    QJsonObject statusJson;
    for (const auto& [code, count] : m_statuses) statusJson[QString::number(code)] = static_cast<qint64>(count);
    root["statuses"] = statusJson;

    QJsonObject errorsJson;
    for (int k = 1; k < ERROR_KIND_COUNT; ++k)
        errorsJson[qs(errorKindName(static_cast<ErrorKind>(k)))] = static_cast<qint64>(m_errorsByKind[static_cast<size_t>(k)]);
    root["errorsByKind"] = errorsJson;
    QJsonArray messagesJson;
    for (const auto& e : errorMessages())
        messagesJson.append(QJsonObject{
            {"kind", qs(errorKindName(e.kind))}, {"message", qs(e.message)}, {"count", static_cast<qint64>(e.count)}});
    root["errorMessages"] = messagesJson;
    QJsonArray errorResponsesJson;
    for (const auto& e : errorResponseGroups())
        errorResponsesJson.append(QJsonObject{{"status", e.status},
                                              {"reason", qs(e.reason)},
                                              {"label", qs(errorGroupLabel(e.status, e.reason, {}, false))},
                                              {"detail", qs(e.detail)},
                                              {"count", static_cast<qint64>(e.count)}});
    root["errorResponsesByReason"] = errorResponsesJson;

    root["latencyMs"] = QJsonObject{{"min", ms(m_latency.min())},
                                    {"mean", m_latency.mean() / 1000.0},
                                    {"p50", ms(m_latency.percentile(0.50))},
                                    {"p90", ms(m_latency.percentile(0.90))},
                                    {"p99", ms(m_latency.percentile(0.99))},
                                    {"max", ms(m_latency.max())}};

    QJsonArray seriesJson;
    for (const auto& s : m_series) {
        QJsonObject o{{"second", static_cast<qint64>(s.second)},
                      {"completed", static_cast<qint64>(s.completed)},
                      {"errors", static_cast<qint64>(s.errors)},
                      {"errorResponses", static_cast<qint64>(s.errorResponses)},
                      {"p50Ms", ms(s.p50Us)},
                      {"p99Ms", ms(s.p99Us)},
                      {"maxMs", ms(s.maxUs)}};
        QJsonObject per;
        for (size_t i = 0; i < s.perBackend.size(); ++i)
            if (s.perBackend[i]) per[qs(m_backendNames[i])] = static_cast<qint64>(s.perBackend[i]);
        o["backends"] = per;
        seriesJson.append(o);
    }
    root["series"] = seriesJson;
    if (!targetLabels.empty()) {
        QJsonArray t;
        for (const auto& l : targetLabels) t.append(qs(l));
        root["targets"] = t;
    }
    root["records"] = static_cast<qint64>(m_records.size());
    root["droppedRecords"] = static_cast<qint64>(m_droppedRecords);
    return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

namespace {

void appendCsvField(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace

void Results::csvChunks(const std::function<void(std::string_view)>& sink) const {
    std::string buf = "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset,"
                      "backend,error\n";
    char line[256];
    auto sec = [](int64_t us) { return static_cast<double>(us) / 1e6; };
    for (const auto& r : m_records) {
        std::snprintf(line, sizeof line, "%4.4f,%4.4f,%4.4f,%4.4f,%4.4f,%4.4f,%d,%4.4f,", sec(r.totalUs),
                      sec(r.connectUs), sec(r.dnsUs), sec(r.requestWriteUs), sec(r.responseDelayUs),
                      sec(r.responseReadUs), r.status, sec(r.offsetUs));
        buf += line;
        if (r.error == ErrorKind::None && r.backend == NO_ID) {
            buf += ",error-response";  // the controller's own error answer (status in status-code)
        } else if (r.error == ErrorKind::None) {
            appendCsvField(buf, backendName(r.backend));
            buf += ',';
        } else {
            buf += ',';
            buf.append(errorKindName(r.error));
        }
        buf += '\n';
        if (buf.size() > 1 << 16) {
            sink(buf);
            buf.clear();
        }
    }
    sink(buf);
}

void Results::writeCsv(std::FILE* out) const {
    csvChunks([out](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), out); });
}

std::string Results::toCsv() const {
    std::string out;
    csvChunks([&out](std::string_view chunk) { out.append(chunk); });
    return out;
}

std::string Results::uniqSummary() const {
    std::string out;
    char num[32];
    for (const auto& b : bodies()) {
        std::snprintf(num, sizeof num, "%7llu ", static_cast<unsigned long long>(b.count));
        out += num;
        out += b.name;
        out += '\n';
    }
    return out;
}

}  // namespace ilab::loadgen
