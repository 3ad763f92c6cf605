#include "core/kube/pod_log_stream.h"

#include <QTimer>

#include <cctype>

#include "core/events/line_log.h"

namespace ilab::kube {

ControllerLineKind classifyControllerLine(std::string_view l) {
    // klog: Lmmdd hh:mm:ss.uuuuuu
    if (l.size() > 15 && std::string_view("IWEF").find(l[0]) != std::string_view::npos &&
        std::isdigit(static_cast<unsigned char>(l[1])) && std::isdigit(static_cast<unsigned char>(l[4])) && l[5] == ' ' &&
        l[8] == ':' && l[11] == ':')
        return ControllerLineKind::Klog;
    // access: ADDR - USER [TIME] "REQUEST" STATUS
    const size_t dash = l.find(" - ");
    if (dash != std::string_view::npos && dash > 0 && l.find(' ') == dash) {
        const size_t bracket = l.find(" [", dash + 3);
        const size_t quote = bracket == std::string_view::npos ? bracket : l.find("] \"", bracket);
        if (quote != std::string_view::npos) return ControllerLineKind::Access;
    }
    return ControllerLineKind::Other;
}

namespace {

// The kubelet's timestamps=true prefix ("2026-12-06T21:00:01.123456789Z "): split off and normalised to nine
// fraction digits so that two stamps compare as strings. False when the line does not start with one.
bool splitStamp(const std::string& line, std::string* stamp, std::string_view* rest) {
    const size_t space = line.find(' ');
    if (space == std::string::npos || space < 20 || space > 40) return false;
    const std::string_view token(line.data(), space);
    if (!std::isdigit(static_cast<unsigned char>(token[0])) || token[4] != '-' || token[10] != 'T' || token[13] != ':')
        return false;
    const size_t zone = token.find_first_of("Z+-", 19);
    if (zone == std::string_view::npos) return false;
    std::string fraction;
    if (token[19] == '.') fraction = std::string(token.substr(20, zone - 20));
    if (fraction.size() > 9) return false;
    fraction.append(9 - fraction.size(), '0');
    *stamp = std::string(token.substr(0, 19)) + "." + fraction + std::string(token.substr(zone));
    *rest = std::string_view(line).substr(space + 1);
    return true;
}

}  // namespace

PodLogStream::PodLogStream(RestClient& client, Options options, std::shared_ptr<events::LineLog> controllerLog,
                           std::shared_ptr<events::LineLog> accessLog, QObject* parent)
    : QObject(parent), m_client(client), m_options(std::move(options)), m_controllerLog(std::move(controllerLog)),
      m_accessLog(std::move(accessLog)) {}

PodLogStream::~PodLogStream() { stop(); }

void PodLogStream::start() {
    if (m_running) return;
    m_running = true;
    InformerOptions io;
    io.list.labelSelector = m_options.labelSelector;
    m_informer = std::make_unique<Informer>(m_client, podsV1(), m_options.ns, io);
    connect(m_informer.get(), &Informer::snapshotChanged, this, &PodLogStream::onPods);
    m_informer->start();
}

void PodLogStream::stop() {
    m_running = false;
    ++m_generation;
    if (m_stream) m_client.cancel(*m_stream);
    m_stream.reset();
    m_informer.reset();
}

void PodLogStream::onPods(const StoreConstSharedPtr& pods) {
    if (!m_running || !pods) return;
    std::string running;
    bool currentStillThere = false;
    for (const auto& [key, pod] : pods->objects) {
        const QJsonObject meta = pod.value(QLatin1String("metadata")).toObject();
        const std::string name = meta.value(QLatin1String("name")).toString().toStdString();
        const bool isRunning = pod.value(QLatin1String("status")).toObject().value(QLatin1String("phase")).toString() ==
                               QLatin1String("Running");
        const bool deleting = meta.contains(QLatin1String("deletionTimestamp"));
        if (!isRunning || deleting) continue;
        if (name == m_pod) currentStillThere = true;
        if (running.empty()) running = name;
    }
    if (currentStillThere) return;
    // The pod went away (or there was none): follow the new one.
    ++m_generation;
    if (m_stream) m_client.cancel(*m_stream);
    m_stream.reset();
    m_pod = running;
    m_deliveredForPod = 0;
    m_lastStamp.clear();
    m_atLastStamp = 0;
    emit podChanged(QString::fromStdString(m_pod));
    if (!m_pod.empty()) open();
}

void PodLogStream::open() {
    if (!m_running || m_pod.empty()) return;
    RestRequest r;
    r.path = "/api/v1/namespaces/" + m_options.ns + "/pods/" + m_pod + "/log";
    r.query = {{"follow", "true"}, {"container", m_options.container}, {"timestamps", "true"}};
    // Resuming the same pod: from the second of the last line delivered (sinceTime has seconds precision).
    if (m_lastStamp.size() >= 19) r.query.push_back({"sinceTime", m_lastStamp.substr(0, 19) + "Z"});
    m_skipStamp = m_lastStamp;
    m_skipAtStamp = m_atLastStamp;
    r.accept = "*/*";
    r.timeout = std::chrono::milliseconds(0);
    r.throttleRetries = 0;
    const std::uint64_t generation = ++m_generation;
    m_seenThisStream = 0;
    ++m_streams;
    StreamHandlers h;
    h.onLine = [this, generation](std::string line) { onLine(generation, line); };
    h.onDone = [this, generation](const RestReply& reply) { onDone(generation, reply); };
    m_stream = m_client.stream(std::move(r), this, std::move(h));
}

void PodLogStream::onLine(std::uint64_t generation, const std::string& line) {
    if (generation != m_generation) return;
    std::string stamp;
    std::string_view text;
    ++m_seenThisStream;
    if (splitStamp(line, &stamp, &text)) {
        // After a reconnect: what is older than the last delivered line, or as old and already counted, was seen.
        if (!m_skipStamp.empty() && stamp < m_skipStamp) return;
        if (!m_skipStamp.empty() && stamp == m_skipStamp && m_skipAtStamp > 0) {
            --m_skipAtStamp;
            return;
        }
        m_atLastStamp = stamp == m_lastStamp ? m_atLastStamp + 1 : 1;
        m_lastStamp = stamp;
    } else {
        // No timestamp (a server that ignores timestamps=true): the log starts from its beginning again.
        if (m_seenThisStream <= m_deliveredForPod) return;
        text = line;
    }
    ++m_deliveredForPod;
    ++m_total;
    const std::string out(text);
    if (classifyControllerLine(out) == ControllerLineKind::Access) {
        if (m_accessLog) m_accessLog->append(out);
    } else if (m_controllerLog) {
        m_controllerLog->append(out);
    }
}

void PodLogStream::onDone(std::uint64_t generation, const RestReply& reply) {
    if (generation != m_generation) return;
    m_stream.reset();
    emit streamEnded(reply.ok() ? QStringLiteral("the log stream of %1 ended").arg(QString::fromStdString(m_pod))
                                : QString::fromStdString(reply.error->describe()));
    const std::uint64_t g = m_generation;
    QTimer::singleShot(m_options.retryDelayMs, this, [this, g] {
        if (g == m_generation && !m_stream) open();
    });
}

}  // namespace ilab::kube
