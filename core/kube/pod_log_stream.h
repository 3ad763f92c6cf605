#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/kube/informer.h"
#include "core/kube/rest_client.h"

namespace ilab::events {
class LineLog;
}

namespace ilab::kube {

// What a line of the ingress-nginx controller's log is: a klog line ("I1206 19:41:52.123456  7 main.go:205] ..."),
// an access-log line (ingress-nginx's upstream format: "ADDR - USER [TIME] \"REQUEST\" STATUS ..."), or other
// output (nginx's own error lines, the startup banner), which goes with the controller log.
enum class ControllerLineKind { Klog, Access, Other };
ControllerLineKind classifyControllerLine(std::string_view line);

// The controller's own voice (issue 13 item 4): follows the log of the ingress controller pod
// (GET /api/v1/namespaces/NS/pods/POD/log?follow=true&container=controller, chunked, through the REST client) and
// appends access lines to `accessLog` and klog and other lines to `controllerLog`, the same LineLogs the lab's log
// views read (the views parse access lines with their access-log parser). The pod is found and followed with an
// informer on the controller's pods (label selector): when the pod is replaced (a new name) the stream moves to
// the new Running pod; when the stream ends while the pod is still there (a container restart, a cut connection)
// it reconnects after `retryDelay`. Lines are asked for with timestamps=true (the prefix is removed before they
// are stored), and a reconnect asks from the second of the last delivered line (sinceTime) and skips what it
// already delivered by timestamp: after a cut connection the same container's old lines are not repeated, after
// a restart the new container's lines all arrive (its log starts empty, so skipping by line count would drop
// them). Lines without a readable timestamp fall back to skipping by count.
// Lives on the thread that creates it (needs its event loop), like the Informer it owns.
class PodLogStream : public QObject {
    Q_OBJECT
public:
    struct Options {
        std::string ns = "ingress-nginx";
        std::string labelSelector = "app.kubernetes.io/component=controller,app.kubernetes.io/name=ingress-nginx";
        std::string container = "controller";
        int retryDelayMs = 1000;
    };
    PodLogStream(RestClient& client, Options options, std::shared_ptr<events::LineLog> controllerLog,
                 std::shared_ptr<events::LineLog> accessLog, QObject* parent = nullptr);
    ~PodLogStream() override;

    void start();
    void stop();
    const std::string& currentPod() const { return m_pod; }
    std::uint64_t linesDelivered() const { return m_total; }
    int streamsOpened() const { return m_streams; }

signals:
    void podChanged(const QString& pod);            // "" when no controller pod is Running
    void streamEnded(const QString& reason);        // the follow stream ended (reconnecting while the pod exists)

private:
    void onPods(const StoreConstSharedPtr& pods);
    void open();
    void onLine(std::uint64_t generation, const std::string& line);
    void onDone(std::uint64_t generation, const RestReply& reply);

    RestClient& m_client;
    Options m_options;
    std::shared_ptr<events::LineLog> m_controllerLog, m_accessLog;
    std::unique_ptr<Informer> m_informer;
    std::string m_pod;
    std::optional<RestClient::RequestId> m_stream;
    std::uint64_t m_generation = 0;
    std::uint64_t m_deliveredForPod = 0;  // lines of m_pod delivered so far (the fallback without timestamps)
    std::uint64_t m_seenThisStream = 0;
    std::string m_lastStamp;              // normalised timestamp of the last delivered line of m_pod
    std::uint64_t m_atLastStamp = 0;      // lines delivered with exactly that timestamp
    std::string m_skipStamp;              // this stream: skip lines before it, and the first m_skipAtStamp at it
    std::uint64_t m_skipAtStamp = 0;
    std::uint64_t m_total = 0;
    int m_streams = 0;
    bool m_running = false;
};

}  // namespace ilab::kube
