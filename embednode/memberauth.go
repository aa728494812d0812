package embednode

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// A member's data may have authentication on (a backup of a cluster with users, restored into
// the embedded member): the member then answers only a user with its password. What is known of
// it offline (a snapshot file's status, a restored dir) is read in a child process; what the
// running member says, it is asked.

// ErrAuthEnabledBackup refuses restoring a backup of an auth-enabled cluster into the embedded
// member without a user of that backup: the member would answer this console only with "user
// name is empty".
var ErrAuthEnabledBackup = errors.New("the backup is of a cluster with authentication on: restored into the embedded member, it answers only " +
	"a user of that backup with its password, and none was given; nothing was changed. R asks for them once the file's status is read; " +
	"o opens it read-only without them (authentication is off in that copy)")

// ErrCredentialsRefused is under RestoreMember's error when the restored member did not accept
// the user and password given for it.
var ErrCredentialsRefused = errors.New("the restored data refused the user and password given")

// authBucketEnabled reads etcd's auth bucket in a bbolt transaction: whether authentication is on.
func authBucketEnabled(tx *bolt.Tx) bool {
	ab := tx.Bucket([]byte("auth"))
	if ab == nil {
		return false
	}
	v := ab.Get([]byte("authEnabled"))
	return len(v) == 1 && v[0] == 1
}

// fileAuthEnabled reads whether the bbolt file at path (a snapshot, or a data dir's db) has
// authentication on. Only child processes call it: a corrupt file can make bbolt panic.
func fileAuthEnabled(path string) (bool, error) {
	b, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return false, err
	}
	defer b.Close()
	on := false
	err = b.View(func(tx *bolt.Tx) error { on = authBucketEnabled(tx); return nil })
	return on, err
}

// AuthEnabled asks the running member whether authentication is on in its data. The question
// needs no user: etcd answers AuthStatus to anyone.
func (c *Child) AuthEnabled(ctx context.Context) (bool, error) {
	c.mu.Lock()
	cfg := c.cfg
	c.mu.Unlock()
	cli, err := memberClient(c.Endpoints(), cfg, "", "")
	if err != nil {
		return false, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := cli.AuthStatus(ctx)
	if err != nil {
		return false, err
	}
	return st.Enabled, nil
}

// memberClient dials the member's client URLs (trusting its CA when it serves TLS) as user, or
// without one when user is "".
func memberClient(endpoints []string, cfg Config, user, password string) (*clientv3.Client, error) {
	var tlsCfg *tls.Config
	if cfg.TrustedCAFile != "" {
		var err error
		if tlsCfg, err = (transport.TLSInfo{TrustedCAFile: cfg.TrustedCAFile}).ClientConfig(); err != nil {
			return nil, err
		}
	}
	return clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, TLS: tlsCfg,
		Username: user, Password: password, Logger: zap.NewNop()})
}

// countKeys asks the member for its revision and number of keys, as user when one is given. A
// user that authenticates but may not read every key still proves the member answers it: keys
// is then -1 (not counted) and rev the header's.
func countKeys(ctx context.Context, endpoints []string, cfg Config, user, password string) (rev, keys int64, err error) {
	cli, err := memberClient(endpoints, cfg, user, password)
	if err != nil {
		return 0, 0, credentialsError(err, user)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithCountOnly())
	if errors.Is(err, rpctypes.ErrPermissionDenied) {
		st, serr := cli.Status(ctx, endpoints[0])
		if serr != nil {
			return 0, 0, serr
		}
		return st.Header.Revision, -1, nil
	}
	if err != nil {
		return 0, 0, credentialsError(err, user)
	}
	return resp.Header.Revision, resp.Count, nil
}

// credentialsError says which user was refused when the member refused the credentials (or
// asked for some), so the rollback's message says why in an operator's words.
func credentialsError(err error, user string) error {
	switch {
	case errors.Is(err, rpctypes.ErrAuthFailed):
		return fmt.Errorf("%w: user %q or its password is wrong for the backup's users (%v)", ErrCredentialsRefused, user, err)
	case errors.Is(err, rpctypes.ErrUserEmpty):
		return fmt.Errorf("%w: the restored data has authentication on and no user was given (%v)", ErrCredentialsRefused, err)
	}
	return err
}
