"""The run screen's tabs: their ids and names, the widget a tab's key focuses, and the widgets of
the tabs other than the overview (built once the overview is drawn, see RunDetailScreen)."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget

from sacred_tui.widgets.artifacts_list import ArtifactPreviewView, ArtifactsList
from sacred_tui.widgets.config_view import ConfigView, ValueTree
from sacred_tui.widgets.log_tail import StdoutPane
from sacred_tui.widgets.metrics_plot import MetricsPanel
from sacred_tui.widgets.sources_view import SourcesView

__all__ = ["FOCUS_TARGETS", "TAB_IDS", "TAB_LABELS", "pane_widgets"]

TAB_IDS = ("tab-overview", "tab-config", "tab-metrics", "tab-stdout", "tab-artifacts", "tab-info", "tab-sources")
TAB_LABELS = ("1 Overview", "2 Config", "3 Metrics", "4 Stdout", "5 Artifacts", "6 Info", "7 Sources")
FOCUS_TARGETS = {
    "tab-overview": "#overview", "tab-config": "#config-tree", "tab-metrics": "#metrics-list",
    "tab-stdout": "#stdout-log", "tab-artifacts": "#artifacts-list", "tab-info": "#info-tree",
    "tab-sources": "#sources-list",
}


def pane_widgets() -> dict[str, list[Widget]]:
    """New widgets for each tab but the overview, by tab id."""
    return {
        "tab-config": [ConfigView(id="config-view")],
        "tab-metrics": [MetricsPanel(id="metrics-panel")],
        "tab-stdout": [StdoutPane(id="stdout-pane")],
        "tab-artifacts": [Horizontal(ArtifactsList(id="artifacts-list"),
                                     ArtifactPreviewView(id="artifact-preview"), id="artifacts-split")],
        "tab-info": [ValueTree("info", id="info-tree")],
        "tab-sources": [SourcesView(id="sources-view")],
    }
