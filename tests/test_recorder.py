"""The run folder's files as the recorder writes them."""

import pandas as pd

from sweeps.recorder import Recorder


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
