// kube::onlyViaDefaultRoute (issue 13: "Reach pods: directly by pod IP"): a pod IP reached only through the
// default gateway is not taken for a routable pod, whatever a TCP connect says (a transparent proxy or a firewall
// that accepts everything answers there); a route of its own (kind's pod CIDR via the node, minikube's bridge)
// is. The tables are Linux /proc/net/route text as the kernel prints it.
#include <QTest>

#include "core/kube/cluster_endpoints.h"

using ilab::kube::onlyViaDefaultRoute;

namespace {

const QByteArray HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
// default via 192.0.2.1, 192.0.2.0/24 on eth0 (this machine's table)
const QByteArray DEFAULT_ONLY = HEADER +
                                "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
// ... plus `ip route add 10.244.0.0/16 via 172.18.0.2` (kind's pod CIDR through the node container)
const QByteArray WITH_POD_ROUTE = DEFAULT_ONLY + "br-1\t0000F40A\t020012AC\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

}  // namespace

class PodReachTest : public QObject {
    Q_OBJECT
private slots:
    void defaultRoute_data() {
        QTest::addColumn<QByteArray>("table");
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("onlyDefault");
        QTest::newRow("pod IP, default route only") << DEFAULT_ONLY << "10.244.0.13" << true;
        QTest::newRow("pod IP, route to the pod CIDR") << WITH_POD_ROUTE << "10.244.0.13" << false;
        QTest::newRow("outside the pod CIDR, default route") << WITH_POD_ROUTE << "10.245.0.1" << true;
        QTest::newRow("directly connected network") << DEFAULT_ONLY << "192.0.2.5" << false;
        QTest::newRow("loopback") << DEFAULT_ONLY << "127.0.0.3" << false;
        QTest::newRow("IPv6: cannot tell") << DEFAULT_ONLY << "fd00:10:244::5" << false;
        QTest::newRow("no table: cannot tell") << QByteArray() << "10.244.0.13" << false;
        QTest::newRow("header only: cannot tell") << HEADER << "10.244.0.13" << false;
        QTest::newRow("garbage lines are skipped") << QByteArray(DEFAULT_ONLY + "x\tzz\n\n") << "10.244.0.13" << true;
    }
    void defaultRoute() {
        QFETCH(QByteArray, table);
        QFETCH(QString, address);
        QFETCH(bool, onlyDefault);
        QCOMPARE(onlyViaDefaultRoute(QHostAddress(address), table), onlyDefault);
    }
};

QTEST_GUILESS_MAIN(PodReachTest)
#include "pod_reach_test.moc"
