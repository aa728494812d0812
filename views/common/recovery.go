package common

// ClusterBackMsg says the session's cluster answered the status bar's poll (sent at each answer,
// every 2 s: after a member restarted by ctrl+r, a remote member back, a console started before
// its cluster). The root hands it to every view: a view whose last read failed reads again at
// once instead of waiting out its backoff or the user's r; the others ignore it.
type ClusterBackMsg struct{ SessionID uint64 }
