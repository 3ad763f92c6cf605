#pragma once

#include <QCommandLineParser>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <string>
#include <vector>

#include "app/cli/cluster_session.h"

// Between cmd_cluster.cpp (dispatcher, contexts, info, get, events) and cmd_cluster_apply.cpp (pull, diff, apply).
namespace ilab::cli {

int runClusterPull(const QStringList& args);
int runClusterDiff(const QStringList& args);
int runClusterApply(const QStringList& args);

namespace cluster {

std::string str(const QJsonValue& v);
QJsonObject obj(const QJsonObject& o, const char* key);
// Adds --help and parses "cluster SUB" + args; false after printing the error.
bool parseArgs(QCommandLineParser& p, const QStringList& args, const char* sub);
// spec.ingressClassName, else the legacy kubernetes.io/ingress.class annotation, else "".
std::string ingressClassOf(const QJsonObject& ingress);
// Warns on stderr when an IngressClass these Ingresses use (or the cluster's default, for Ingresses without a
// class or when `ingresses` is empty) belongs to another controller than ingress-nginx. `lines` (optional) gets
// "name (controller[, default])" per IngressClass. Silent when IngressClasses cannot be listed.
void warnAboutIngressClasses(Session& s, const std::vector<QJsonObject>& ingresses, const char* sub,
                             std::vector<std::string>* lines);

}  // namespace cluster
}  // namespace ilab::cli
