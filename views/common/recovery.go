package common

// ClusterBackMsg says the session's cluster answers again after the status bar's poll had
// failed (a member restarted by ctrl+r, a remote member back, a console started before its
// cluster). The root hands it to every view: a view whose last read failed reads again at
// once instead of waiting out its backoff or the user's r.
type ClusterBackMsg struct{ SessionID uint64 }
