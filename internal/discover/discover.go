// Package discover finds what the wizard offers: the caller's identity, the
// regions enabled for the account, roles usable by EC2 and candidate KMS
// administrator roles. Results are paged, fetched concurrently and cached
// for the run. It uses internal/cloud interfaces only.
package discover

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// RegionInfo is one region as the wizard shows it.
type RegionInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"` // "Europe (Frankfurt)"
	OptInStatus string `json:"optInStatus"` // opt-in-not-required | opted-in | not-opted-in
	Enabled     bool   `json:"enabled"`
}

// RoleInfo is one IAM role as the wizard shows it.
type RoleInfo struct {
	Name             string   `json:"name"`
	Arn              string   `json:"arn"`
	Path             string   `json:"path"`
	InstanceProfiles []string `json:"instanceProfiles,omitempty"`
	// Reasons say why the role is offered ("trusts ec2.amazonaws.com",
	// "AdministratorAccess attached", "IAM Identity Center administrator").
	Reasons []string `json:"reasons,omitempty"`
}

// Hint explains a discovery failure to a person: what failed and how to fix it.
type Hint struct {
	Problem string
	Fix     string
}

// Defaults for the administrator-role search.
const (
	DefaultAdminBudget = 8 * time.Second
	DefaultConcurrency = 16
)

// Option configures a Discoverer.
type Option func(*Discoverer)

// WithAdminBudget bounds the time AdminRoles spends checking the managed
// policies of roles (default DefaultAdminBudget).
func WithAdminBudget(d time.Duration) Option {
	return func(x *Discoverer) { x.budget = d }
}

// WithConcurrency bounds the IAM calls AdminRoles and EC2Roles make at once
// for per-role lookups (default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return func(x *Discoverer) { x.concurrency = n }
}

// WithTimer replaces time.After for the admin budget, so tests decide when
// the budget runs out.
func WithTimer(after func(time.Duration) <-chan time.Time) Option {
	return func(x *Discoverer) { x.after = after }
}

// Discoverer answers discovery questions for one account, caching answers.
// It is safe for concurrent use; concurrent callers of one question share
// one set of AWS calls. A failed answer is not cached: the next call asks
// AWS again.
type Discoverer struct {
	acct        cloud.Account
	homeRegion  string
	budget      time.Duration
	concurrency int
	after       func(time.Duration) <-chan time.Time

	identity cell[cloud.CallerIdentity]
	regions  cell[[]RegionInfo]
	roles    cell[[]cloud.Role]
	profiles cell[map[string][]string]
	ec2Roles cell[[]RoleInfo]
	admin    cell[AdminResult] // holds only complete results

	attachMu sync.Mutex
	attached map[string]attachState // role name → AdministratorAccess check
}

// New returns a Discoverer; homeRegion is used for regional list calls.
func New(acct cloud.Account, homeRegion string, opts ...Option) *Discoverer {
	d := &Discoverer{
		acct:        acct,
		homeRegion:  homeRegion,
		budget:      DefaultAdminBudget,
		concurrency: DefaultConcurrency,
		after:       time.After,
		attached:    map[string]attachState{},
	}
	for _, o := range opts {
		o(d)
	}
	if d.concurrency < 1 {
		d.concurrency = 1
	}
	return d
}

// Identity returns the caller identity (sts:GetCallerIdentity).
func (d *Discoverer) Identity(ctx context.Context) (cloud.CallerIdentity, error) {
	return d.identity.get(ctx, func(ctx context.Context) (cloud.CallerIdentity, error) {
		id, err := d.acct.STS().GetCallerIdentity(ctx)
		if err != nil {
			return cloud.CallerIdentity{}, fmt.Errorf("identify the caller: %w", err)
		}
		return id, nil
	})
}

// Regions lists all regions of the partition with their opt-in status
// (ec2:DescribeRegions with AllRegions, asked in the home region or
// us-east-1): enabled regions first, then by name. Description is empty for
// a region missing from the built-in table of display names.
func (d *Discoverer) Regions(ctx context.Context) ([]RegionInfo, error) {
	out, err := d.regions.get(ctx, func(ctx context.Context) ([]RegionInfo, error) {
		home := d.homeRegion
		if home == "" {
			home = "us-east-1"
		}
		regs, err := d.acct.EC2(home).DescribeRegions(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("list regions (from %s): %w", home, err)
		}
		out := make([]RegionInfo, 0, len(regs))
		for _, r := range regs {
			out = append(out, RegionInfo{
				Name:        r.Name,
				Description: RegionDescription(r.Name),
				OptInStatus: r.OptInStatus,
				Enabled:     r.OptInStatus != "not-opted-in",
			})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Enabled != out[j].Enabled {
				return out[i].Enabled
			}
			return out[i].Name < out[j].Name
		})
		return out, nil
	})
	return slices.Clone(out), err
}

// cloneRoles copies roles deeply enough that callers may modify the result.
func cloneRoles(in []RoleInfo) []RoleInfo {
	if in == nil {
		return nil
	}
	out := make([]RoleInfo, len(in))
	for i, r := range in {
		r.InstanceProfiles = slices.Clone(r.InstanceProfiles)
		r.Reasons = slices.Clone(r.Reasons)
		out[i] = r
	}
	return out
}

// cell caches the first successful answer to one question. Concurrent
// callers share one call in flight; when it fails, they all get its error
// and the next call tries again.
type cell[T any] struct {
	mu  sync.Mutex
	ok  bool
	val T
	cur *flight[T]
}

type flight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// get returns the cached answer or computes it with fn.
func (c *cell[T]) get(ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return c.load(ctx, fn, func(T) bool { return true })
}

// load is get with a say on caching: a successful answer is kept only when
// keep approves it (callers sharing the flight get it either way).
func (c *cell[T]) load(ctx context.Context, fn func(context.Context) (T, error), keep func(T) bool) (T, error) {
	for {
		c.mu.Lock()
		if c.ok {
			v := c.val
			c.mu.Unlock()
			return v, nil
		}
		if f := c.cur; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
			// The caller that made the call may have been cancelled; that
			// is no answer for a caller whose own context is still live.
			if f.err != nil && isContextErr(f.err) && ctx.Err() == nil {
				continue
			}
			return f.val, f.err
		}
		f := &flight[T]{done: make(chan struct{})}
		c.cur = f
		c.mu.Unlock()

		f.val, f.err = fn(ctx)
		c.mu.Lock()
		c.cur = nil
		if f.err == nil && keep(f.val) {
			c.ok, c.val = true, f.val
		}
		c.mu.Unlock()
		close(f.done)
		return f.val, f.err
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
