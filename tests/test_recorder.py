"""The run folder's files as the recorder writes them."""

import pandas as pd

from sweeps.recorder import Recorder, UpdateMeans


def test_updates_csv_keeps_statistics_that_appear_after_a_resume(tmp_path):
    # a run resumed under a newer version can log a statistic its earlier rows lack
    rec = Recorder(tmp_path)
    rec.add_updates(10, 5, {"critic_loss": 1.0, "actor_loss": -2.0})
    rec.add_updates(20, 5, {"critic_loss": 0.5, "actor_loss": -3.0, "target_saturated": 0.25})
    rec.flush()
    table = pd.read_csv(tmp_path / "updates.csv")
    assert list(table.columns) == [
        "step",
        "update_calls",
        "critic_loss",
        "actor_loss",
        "target_saturated",
    ]
    assert pd.isna(table.target_saturated[0]) and table.target_saturated[1] == 0.25


def test_update_means_cover_only_the_calls_that_reported_each_statistic():
    means = UpdateMeans()
    means.add({"critic_loss": 1.0, "actor_loss": -1.0})
    means.add({"critic_loss": 3.0, "actor_loss": -3.0})
    # checkpointed by a version that did not report target_saturated, resumed by one that does
    resumed = UpdateMeans()
    old_state = means.state()
    del old_state["update_counts"]
    resumed.load(old_state)
    resumed.add({"critic_loss": 5.0, "actor_loss": -5.0, "target_saturated": 0.5})
    resumed.add({"critic_loss": 7.0, "actor_loss": -7.0, "target_saturated": 1.0})
    calls, row = resumed.pop()
    assert calls == 4
    assert row == {"critic_loss": 4.0, "actor_loss": -4.0, "target_saturated": 0.75}
    assert resumed.pop() == (0, {})


def test_update_means_state_round_trips():
    means = UpdateMeans()
    means.add({"loss": 2.0})
    again = UpdateMeans()
    again.load(means.state())
    again.add({"loss": 4.0, "kl": 0.1})
    assert again.pop() == (2, {"loss": 3.0, "kl": 0.1})
