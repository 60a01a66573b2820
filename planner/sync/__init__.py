"""Keeping a plan in the runner's intervals.icu calendar (and from there Garmin Connect's and the
watch's): connections and their encrypted keys, the events a plan becomes, the outbox the writes fill
and the worker that empties it."""
