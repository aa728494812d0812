package cluster

import clientv3 "go.etcd.io/etcd/client/v3"

// Etcd lets this package's tests (internal and external) write and inspect with the raw client,
// as an outside writer would; it exists only in test builds, so nothing outside cluster/ reaches it.
func (c *Client) Etcd() *clientv3.Client { return c.c }
