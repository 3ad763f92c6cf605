#pragma once

#include <QWidget>

#include "core/loadgen/comparison.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace ilab::ui {

// "Predicted vs observed" (issue 13): the target choice (local controller / cluster controller, with the rule of
// core/kube/controller_target that chose the cluster's address) and the comparison of a run against both
// (core/loadgen/comparison): one table row per backend share, status code and latency of each route, predicted
// and observed side by side with their intervals; rows that disagree are highlighted, and the list below names
// each disagreement with the curl command that shows it. GUI thread; it only renders what it is given (the run
// itself is the caller's: LoadGenerators on their own threads, the resolver through the REST client).
class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Target { Local, Cluster };

    explicit CompareView(QWidget* parent = nullptr);

    // The cluster target as the resolver described it ("127.0.0.1 HTTP 80, HTTPS 443 [ingress-status]: ..."), or
    // why there is none (then the cluster choice and the compare action are disabled).
    void setClusterTarget(const QString& description, bool available);
    Target target() const;
    // Shows or hides "Send traffic to:" (the lab shows only the comparison action: its traffic panel sends to the
    // local controller).
    void setTargetChoiceVisible(bool visible);
    // A run that could not happen: the reason where the summary goes.
    void setFailure(const QString& message);

    void setRunning(bool running);
    void setComparison(const loadgen::Comparison& comparison);
    void clear();
    // Names the two sides where the view says "Predicted (local)" / "Observed (cluster)" (the Migration view's
    // live run: "ingress-nginx" / "Gateway API"), and hides the cluster target row and the compare button, which
    // the owner replaces with its own.
    void setSideNames(const QString& predicted, const QString& observed);

    // For tests and the lab script.
    QTableWidget* tableForTest() const { return m_table; }
    QListWidget* disagreementsForTest() const { return m_disagreements; }
    QString summaryText() const;
    QString targetRuleText() const;

signals:
    void targetChanged(ilab::ui::CompareView::Target target);
    void compareRequested();  // the "Predicted vs observed" action

private:
    QComboBox* m_target = nullptr;
    QLabel* m_targetLabel = nullptr;
    QLabel* m_rule = nullptr;
    QPushButton* m_compare = nullptr;
    QLabel* m_summary = nullptr;
    QTableWidget* m_table = nullptr;
    QListWidget* m_disagreements = nullptr;
    bool m_clusterAvailable = false;
    QString m_predictedName, m_observedName;  // empty: predicted (local) / observed (cluster)
    QString m_clusterDescription;
};

}  // namespace ilab::ui
