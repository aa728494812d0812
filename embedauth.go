package main

import (
	"context"
	"fmt"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
)

// embeddedAuth is how the console reaches its embedded member: conn (already Local, no user) as
// it is when the member's data has authentication off, and as the user of the settings
// (--user/--password, ETCDCTL_USER/ETCDCTL_PASSWORD) when a backup of a cluster with
// authentication on was restored into it. Without a user it refuses in words that say how to
// start, instead of the member's "user name is empty".
func embeddedAuth(ctx context.Context, member *embednode.Child, conn, settings cluster.ConnConfig, dataDir string) (cluster.ConnConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	on, err := member.AuthEnabled(ctx)
	if err != nil {
		return conn, fmt.Errorf("ask the embedded member whether authentication is on: %w", err)
	}
	if !on {
		return conn, nil
	}
	if settings.User == "" {
		return conn, fmt.Errorf("the embedded member's data (%s) has authentication on (a backup of a cluster with users was restored into it): "+
			"start etcdeck with --user NAME, a user of that data such as root (the password is asked, or comes from --password or ETCDCTL_PASSWORD)",
			cluster.EscapeText(dataDir))
	}
	conn.User, conn.Password = settings.User, settings.Password
	return conn, nil
}
