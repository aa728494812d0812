package cluster

// WithOffline lets Connect return a client although no endpoint answered (the console started
// before its cluster, or during an outage): clientv3 dials lazily and keeps redialling, so the
// same client works once a member answers. The failure is kept for OfflineCause; every other
// failure (a bad certificate file, a refused password) is still Connect's error. Headless
// commands do not use it: they fail fast.
func WithOffline() Option { return func(c *Client) { c.allowOffline = true } }

// OfflineCause is why no endpoint answered when a client made WithOffline connected (nil when
// one did): what the console shows until the cluster answers.
func (c *Client) OfflineCause() error { return c.offline }
