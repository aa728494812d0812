package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// learnEndpoints adds to the client the client URLs of the members the user did not name, so
// it fails over when the named member goes down (etcdctl given one endpoint does not). Only
// URLs that answer from here are added: a port-forwarded or proxied cluster advertises
// addresses this machine cannot reach, and the client stays on what the user gave; Note says
// so. Errors leave the endpoints as they are: failover is a bonus, not a condition to connect.
func (cl *Client) learnEndpoints(ctx context.Context) {
	lctx, cancel := context.WithTimeout(ctx, cl.conf.DialTimeout+cl.conf.CommandTimeout)
	defer cancel()
	resp, err := cl.c.MemberList(lctx)
	if err != nil {
		return
	}
	have := map[string]bool{}
	for _, ep := range cl.c.Endpoints() {
		have[HostOf(ep)] = true
	}
	var candidates []string
	for _, m := range resp.Members {
		if m.IsLearner {
			continue // a learner serves no client requests
		}
		for _, u := range m.ClientURLs {
			if !have[HostOf(u)] {
				have[HostOf(u)] = true
				candidates = append(candidates, u)
			}
		}
	}
	if len(candidates) == 0 {
		return
	}
	answers := make([]bool, len(candidates))
	var wg sync.WaitGroup
	for i, u := range candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(lctx, cl.conf.DialTimeout)
			defer cancel()
			_, err := cl.c.Status(pctx, u)
			answers[i] = err == nil
		}()
	}
	wg.Wait()
	var learned, silent []string
	for i, u := range candidates {
		if answers[i] {
			learned = append(learned, u)
		} else {
			silent = append(silent, HostOf(u))
		}
	}
	if len(learned) > 0 {
		cl.c.SetEndpoints(append(cl.c.Endpoints(), learned...)...)
		cl.learned = learned
	}
	if len(silent) > 0 {
		cl.note = fmt.Sprintf("the members' advertised client URLs %s do not answer from here (port-forward or proxy?): no failover to them, staying on %s",
			strings.Join(silent, ", "), strings.Join(cl.conf.Endpoints, ","))
	}
}

// Learned are the client URLs Connect added from the member list (see learnEndpoints).
func (c *Client) Learned() []string { return append([]string(nil), c.learned...) }

// Note is what Connect has to say about failover ("" when nothing): the other members'
// advertised URLs do not answer from here, so the client stays on the endpoints given.
func (c *Client) Note() string { return c.note }
