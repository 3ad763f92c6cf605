#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

// A stand-in kubelet for tests against the real kube-apiserver (tests/kube). The kubelet cannot run here (no
// container runtime), so this speaks its wire format behind the real API server:
//
//   GET /portForward/{ns}/{pod}?port=P[&port=P2]   WebSocket upgrade, subprotocol v4.channel.k8s.io (or none, which
//        the kubelet treats as binary v4 framing as well). Every binary message is 1 channel byte + payload. Per
//        requested port i: channel 2i = data (both ways), 2i+1 = error (kubelet -> client). The first message on
//        each of the two carries the port as uint16 little-endian (kubelet cri/streaming/portforward/websocket.go).
//        The data channel is then spliced to a real TCP connection to 127.0.0.1:<target> (setPodPort); a refused
//        connect writes the error text on the error channel and closes, as the kubelet does; the pod closing the
//        connection closes the WebSocket (close frame 1000). Only other subprotocols (SPDY/3.1+portforward.k8s.io,
//        the SPDY POST upgrade) get 400/501, so kubectl >= 1.31 falls back and reports that its protocol is refused.
//   GET /containerLogs/{ns}/{pod}/{container}[?follow=true&tailLines=N&timestamps=true&sinceTime=T&previous=true]
//        text/plain, chunked. Each line is stamped when appendLog() writes it; timestamps=true prefixes it with
//        "2026-12-06T21:00:01.123456789Z " (nine digits, as the kubelet's kuberuntime/logs), sinceTime keeps lines at
//        or after T. With follow the stream stays open and gets every later appendLog() line until
//        endLogStreams() (the connection is cut; the log stays) or restartContainer() (a new container: its log
//        starts empty and the old one is served with previous=true).
//
// TLS is real: serving certificate DIR/pki/kubelet.crt (SAN 127.0.0.1, made by start-apiserver.sh), and the API
// server's client certificate (pki/kubelet-client.crt) is required and verified against pki/ca.crt.
//
// The kubelet runs on its own thread, so a test may block (kubectl, the CLI) while it serves. All methods are
// thread-safe and may be called from the test thread. Register the Node with kube_fixtures.h (addNode) using port().
namespace ilab::testing {

class FakeKubelet {
public:
    struct Request {
        QString method;
        QString target;    // path + query as received: "/portForward/lab/web-0?port=8080"
        QString protocol;  // Sec-WebSocket-Protocol offered, or Upgrade for non-WebSocket upgrades
        QString clientCn;  // CN of the verified client certificate (the API server's)
        int status = 0;    // what the kubelet answered (101, 200, 404, ...)
    };

    FakeKubelet();
    ~FakeKubelet();
    FakeKubelet(const FakeKubelet&) = delete;
    FakeKubelet& operator=(const FakeKubelet&) = delete;

    // Listens on 127.0.0.1:0 with the certificates in pkiDir (KubeServer::dir() + "/pki"). False with errorString().
    bool start(const QString& pkiDir);
    void stop();  // closes every connection; also done by the destructor
    int port() const;
    QString errorString() const;

    // A port-forward to ns/pod:podPort connects to 127.0.0.1:targetPort (a simulated pod, a test server).
    void setPodPort(const QString& ns, const QString& pod, int podPort, int targetPort);
    // Forgets the pod and closes its open port-forwards (the pod was deleted: its streams end).
    void removePod(const QString& ns, const QString& pod);

    // Adds lines (each should end in '\n') to a container's log, all stamped with the time of this call; open follow
    // streams get them at once.
    void appendLog(const QString& ns, const QString& pod, const QString& container, const QByteArray& lines);
    // Ends every open follow stream of the container (chunked terminator); the container and its log stay.
    void endLogStreams(const QString& ns, const QString& pod, const QString& container);
    // A container restart: open follow streams end, the log so far becomes the previous container's, the new
    // container's log starts empty.
    void restartContainer(const QString& ns, const QString& pod, const QString& container);

    QList<Request> requests() const;
    int openForwards() const;      // WebSocket port-forwards open now
    int forwardsServed() const;    // WebSocket port-forwards accepted so far
    int openLogStreams() const;

    struct Impl;  // shared with the kubelet thread (fake_kubelet.cpp)

private:
    std::unique_ptr<Impl> m;
};

}  // namespace ilab::testing
