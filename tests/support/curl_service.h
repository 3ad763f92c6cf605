#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

// One real request with the curl program to http://HOST:PORT/PATH on 127.0.0.1 (--resolve), answered by a
// simulated pod: "<status> <service that answered>" (the Service named in the pod's JSON body, empty when the body
// is not a pod's answer), or "curl did not finish" after 20 s.
namespace ilab::testing {

QString curlStatusAndService(int port, const QString& host = QStringLiteral("api.example.com"),
                             const QString& path = QStringLiteral("/version"));

// The real curl with `-sS --noproxy * --max-time 30 ARGS`, waited for with the event loop running (servers that live
// on this thread, such as a PortForward listener, keep accepting). Returns stdout followed by stderr, or "curl did
// not start" / "curl did not finish within 60 s" (then *exitCode is -1); *exitCode gets curl's exit code.
QByteArray curlWithEventLoop(const QStringList& args, int* exitCode);

}  // namespace ilab::testing
