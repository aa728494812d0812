package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Users and roles as root (or a user with the rights) manages them. Reads are plain calls; every
// change goes through the write gate (write.go): refused in read-only mode before it is sent,
// and audited with the user and role names — never a password.

// ErrNeedsRoot is what listing users and roles says to a user without the rights.
var ErrNeedsRoot = errors.New("only root can list users and roles (etcd's rule)")

// UserInfo is one user, its roles and whether it has a password.
type UserInfo struct {
	Name  string
	Roles []string
	// Password says whether the user has a password, as far as etcd lets a client learn it
	// (passwords.go): PasswordUnknown while authentication is off.
	Password PasswordState
}

// RoleInfo is one role and its permissions.
type RoleInfo struct {
	Name  string
	Perms []Perm
}

// AuthInfo is the cluster's users, roles and whether authentication is on.
type AuthInfo struct {
	Enabled bool
	Users   []UserInfo
	Roles   []RoleInfo
}

// AuthInfo reads whether authentication is on, then every user and role: ErrNeedsRoot (under
// the server's refusal) when the user may not list them, with Enabled still set.
func (c *Client) AuthInfo(ctx context.Context) (AuthInfo, error) {
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	var info AuthInfo
	st, err := c.c.AuthStatus(cctx)
	if err != nil {
		return info, Explain(err)
	}
	info.Enabled = st.Enabled
	users, err := c.c.UserList(cctx)
	if IsPermissionDenied(err) {
		return info, explained(ErrNeedsRoot.Error(), errors.Join(ErrNeedsRoot, err))
	}
	if err != nil {
		return info, Explain(err)
	}
	for _, name := range users.Users {
		u, err := c.c.UserGet(cctx, name)
		if err != nil {
			return info, fmt.Errorf("user %s: %w", EscapeText(name), Explain(err))
		}
		info.Users = append(info.Users, UserInfo{Name: name, Roles: slices.Clone(u.Roles)})
	}
	roles, err := c.c.RoleList(cctx)
	if err != nil {
		return info, Explain(err)
	}
	for _, name := range roles.Roles {
		r := RoleInfo{Name: name}
		if name != "root" { // root has no permissions: it allows everything
			got, err := c.c.RoleGet(cctx, name)
			if err != nil {
				return info, fmt.Errorf("role %s: %w", EscapeText(name), Explain(err))
			}
			for _, p := range got.Perm {
				r.Perms = append(r.Perms, permOf(name, p))
			}
		}
		info.Roles = append(info.Roles, r)
	}
	if info.Enabled {
		c.probePasswords(cctx, info.Users)
	}
	return info, nil
}

// CanEnable says whether authentication may be turned on as info shows the cluster:
// ErrNoRootUser unless a user root holds the role root (etcd's rule), said before asking.
func (i AuthInfo) CanEnable() error {
	for _, u := range i.Users {
		if u.Name == "root" && slices.Contains(u.Roles, "root") {
			return nil
		}
	}
	return ErrNoRootUser
}

// authWrite is one change to users or roles through the gate, audited as action on target.
func (c *Client) authWrite(ctx context.Context, action, target string, do func(context.Context) (int64, error)) error {
	e := AuditEntry{Action: action, Target: EscapeText(target)}
	_, err := c.write(ctx, e, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		rev, err := do(ctx)
		if err != nil {
			return 0, Explain(err)
		}
		return rev, nil
	})
	return err
}

// AddUser creates user name with password (the password reaches only etcd).
func (c *Client) AddUser(ctx context.Context, name, password string) error {
	if name == "" || password == "" {
		return errors.New("a user needs a name and a password")
	}
	return c.authWrite(ctx, "user-add", "user "+name, func(ctx context.Context) (int64, error) {
		r, err := c.c.UserAdd(ctx, name, password)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// DeleteUser removes user name.
func (c *Client) DeleteUser(ctx context.Context, name string) error {
	return c.authWrite(ctx, "user-delete", "user "+name, func(ctx context.Context) (int64, error) {
		r, err := c.c.UserDelete(ctx, name)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// GrantRole gives user the role.
func (c *Client) GrantRole(ctx context.Context, user, role string) error {
	return c.authWrite(ctx, "role-grant", "user "+user+" role "+role, func(ctx context.Context) (int64, error) {
		r, err := c.c.UserGrantRole(ctx, user, role)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// RevokeRole takes the role from user.
func (c *Client) RevokeRole(ctx context.Context, user, role string) error {
	return c.authWrite(ctx, "role-revoke", "user "+user+" role "+role, func(ctx context.Context) (int64, error) {
		r, err := c.c.UserRevokeRole(ctx, user, role)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// AddRole creates role name, with no permission yet.
func (c *Client) AddRole(ctx context.Context, name string) error {
	return c.authWrite(ctx, "role-add", "role "+name, func(ctx context.Context) (int64, error) {
		r, err := c.c.RoleAdd(ctx, name)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// DeleteRole removes role name (users lose it).
func (c *Client) DeleteRole(ctx context.Context, name string) error {
	return c.authWrite(ctx, "role-delete", "role "+name, func(ctx context.Context) (int64, error) {
		r, err := c.c.RoleDelete(ctx, name)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// GrantPermission adds p (its Type, Key and RangeEnd) to role.
func (c *Client) GrantPermission(ctx context.Context, role string, p Perm) error {
	t := clientv3.PermRead
	switch p.Type {
	case PermRead:
	case PermWrite:
		t = clientv3.PermWrite
	case PermReadWrite:
		t = clientv3.PermReadWrite
	default:
		return fmt.Errorf("permission type %q: read, write or readwrite", p.Type)
	}
	return c.authWrite(ctx, "permission-grant", "role "+role+" "+p.String(), func(ctx context.Context) (int64, error) {
		r, err := c.c.RoleGrantPermission(ctx, role, p.Key, p.RangeEnd, clientv3.PermissionType(t))
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// RevokePermission removes the permission on [key, rangeEnd) from role.
func (c *Client) RevokePermission(ctx context.Context, role string, p Perm) error {
	return c.authWrite(ctx, "permission-revoke", "role "+role+" "+p.Span(), func(ctx context.Context) (int64, error) {
		r, err := c.c.RoleRevokePermission(ctx, role, p.Key, p.RangeEnd)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// ErrNoRootUser refuses enabling authentication before a user root with the role root exists.
var ErrNoRootUser = errors.New("enabling authentication needs a user root with the role root (etcd's rule): add them first")

// EnableAuth turns authentication on, refused (and audited) before anything is sent unless a user
// root with the role root exists, as etcd would refuse it.
func (c *Client) EnableAuth(ctx context.Context) error {
	return c.authWrite(ctx, "auth-enable", "", func(ctx context.Context) (int64, error) {
		u, err := c.c.UserGet(ctx, "root")
		if errors.Is(rpctypes.Error(err), rpctypes.ErrUserNotFound) || err == nil && !slices.Contains(u.Roles, "root") {
			return 0, ErrNoRootUser
		}
		if err != nil {
			return 0, err
		}
		r, err := c.c.AuthEnable(ctx)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}

// DisableAuth turns authentication off (the console asks for a typed confirmation first).
func (c *Client) DisableAuth(ctx context.Context) error {
	return c.authWrite(ctx, "auth-disable", "", func(ctx context.Context) (int64, error) {
		r, err := c.c.AuthDisable(ctx)
		if err != nil {
			return 0, err
		}
		return r.Header.GetRevision(), nil
	})
}
