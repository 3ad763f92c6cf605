#include "ui/dialogs/lesson_picker.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

namespace {
QString readResource(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
}  // namespace

QVector<LessonInfo> availableLessons() {
    QVector<LessonInfo> out;
    const QJsonDocument doc = QJsonDocument::fromJson(readResource(QStringLiteral(":/lessons/index.json")).toUtf8());
    for (const QJsonValue& v : doc.array()) {
        const QJsonObject o = v.toObject();
        LessonInfo l{o.value(QStringLiteral("id")).toString(), o.value(QStringLiteral("title")).toString(), o.value(QStringLiteral("summary")).toString()};
        if (!l.id.isEmpty() && !l.id.contains(QLatin1Char('/')) && !l.id.contains(QLatin1String(".."))) out << l;
    }
    return out;
}

QString lessonWorkspace(const QString& id) { return readResource(QStringLiteral(":/lessons/%1/workspace.yaml").arg(id)); }
QString lessonGuide(const QString& id) { return readResource(QStringLiteral(":/lessons/%1/guide.md").arg(id)); }

LessonPicker::LessonPicker(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New from lesson"));
    auto* lay = new QVBoxLayout(this);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("lessons"));
    m_list->setIconSize(QSize(20, 20));
    m_list->setSpacing(2);
    for (const LessonInfo& l : availableLessons()) {
        auto* item = new QListWidgetItem(themedIcon(QStringLiteral("lesson")), QStringLiteral("%1\n%2").arg(l.title, l.summary), m_list);
        item->setData(Qt::UserRole, l.id);
        item->setToolTip(l.summary);
    }
    m_list->setWordWrap(true);
    lay->addWidget(m_list);
    m_summary = new QLabel(this);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
    lay->addWidget(buttons);
    if (m_list->count() > 0) m_list->setCurrentRow(0);
    resize(620, 460);
}

QString LessonPicker::selectedId() const {
    return m_list->currentItem() ? m_list->currentItem()->data(Qt::UserRole).toString() : QString();
}

}  // namespace ilab::ui
