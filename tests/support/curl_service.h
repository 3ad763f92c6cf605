#pragma once

#include <QString>

// One real request with the curl program to http://HOST:PORT/PATH on 127.0.0.1 (--resolve), answered by a
// simulated pod: "<status> <service that answered>" (the Service named in the pod's JSON body, empty when the body
// is not a pod's answer), or "curl did not finish" after 20 s.
namespace ilab::testing {

QString curlStatusAndService(int port, const QString& host = QStringLiteral("api.example.com"),
                             const QString& path = QStringLiteral("/version"));

}  // namespace ilab::testing
