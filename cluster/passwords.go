package cluster

import (
	"context"
	"errors"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// Whether a user has a password. etcd's UserGet returns only the roles, so the one way a client
// learns it is to authenticate as the user with a password that is not it: a user added with
// --no-password is refused with "password was given for no password user", any other with
// "authentication failed". Authenticating works only while authentication is on, and costs the
// server one bcrypt comparison and one warning line in its log per user, so AuthInfo probes
// only then, at most maxPasswordProbes users, and only when it is asked to list (never on a
// poll).

// PasswordState is what is known of a user's password.
type PasswordState int

// The states a probe can end in.
const (
	// PasswordUnknown: authentication is off, the probe failed, or the user was past the cap.
	PasswordUnknown PasswordState = iota
	// PasswordSet: the user logs in with a password.
	PasswordSet
	// PasswordNone: the user was added without one (--no-password: it logs in with a
	// certificate only).
	PasswordNone
)

// String is the state as the Access view's column shows it.
func (p PasswordState) String() string {
	switch p {
	case PasswordSet:
		return "yes"
	case PasswordNone:
		return "no"
	}
	return "?"
}

// maxPasswordProbes bounds the authentications one listing sends (each is a bcrypt comparison
// on the server).
const maxPasswordProbes = 64

// passwordProbe is the password the probe gives: one no user would choose. Were it a user's
// password, the login succeeding still says the user has one.
const passwordProbe = "\x00etcdeck-password-probe\x00"

// probePasswords sets each user's Password; a probe that fails otherwise leaves it unknown.
func (c *Client) probePasswords(ctx context.Context, users []UserInfo) {
	for i := range users {
		if i == maxPasswordProbes || ctx.Err() != nil {
			return
		}
		_, err := c.c.Authenticate(ctx, users[i].Name, passwordProbe)
		users[i].Password = passwordStateOf(err)
	}
}

// passwordStateOf reads the answer to a probe.
func passwordStateOf(err error) PasswordState {
	switch {
	case err == nil, errors.Is(rpctypes.Error(err), rpctypes.ErrAuthFailed):
		return PasswordSet
	case strings.Contains(err.Error(), "no password user"):
		// etcd maps no gRPC code to this error: its text is all there is.
		return PasswordNone
	}
	return PasswordUnknown
}
