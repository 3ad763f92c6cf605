#include <QApplication>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Ingress Lab"));
    QApplication::setOrganizationName(QStringLiteral("IngressLab"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    ilab::ui::MainWindow w;
    const QStringList args = app.arguments();
    w.openPath(args.size() > 1 ? args.at(1) : QStringLiteral(":/demo/demo-workspace.yaml"));
    w.resize(1400, 900);
    w.show();
    return app.exec();
}
