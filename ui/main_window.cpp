#include "ui/main_window.h"

#include <QFile>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSplitter>

#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"

namespace ilab::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    auto* split = new QSplitter(Qt::Vertical, this);
    m_yaml = new QPlainTextEdit(split);
    m_problems = new QListWidget(split);
    setCentralWidget(split);
}

void MainWindow::openPath(const QString& path) {
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) m_yaml->setPlainText(QString::fromUtf8(f.readAll()));
    auto ws = yaml::loadPaths({path.toStdString()});
    m_problems->clear();
    for (const auto& d : validation::validate(ws)) m_problems->addItem(QString::fromStdString(d.message()));
    setWindowTitle(QStringLiteral("Ingress Lab — %1").arg(path));
}

}  // namespace ilab::ui
