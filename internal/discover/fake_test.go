package discover

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// fakeAccount implements the calls discovery makes, with faithful IAM
// paging (opaque markers, MaxItems, IsTruncated) and call counting. Calls
// discovery must not make panic through the nil embedded interfaces.
type fakeAccount struct {
	mu    sync.Mutex
	calls map[string]int // "iam:ListRoles", "iam:ListAttachedRolePolicies:<role>", ...

	identity cloud.CallerIdentity
	regions  []cloud.Region
	asked    []string // regions DescribeRegions was asked in

	roles    []cloud.Role
	full     map[string]cloud.Role // GetRole answers; others are NoSuchEntity
	maxPage  int                   // page size cap for every list call (IAM's default 100 when 0)
	profiles []cloud.InstanceProfile
	attached map[string][]cloud.AttachedPolicy

	// failures queues errors per call name: each call pops one.
	failures map[string][]error
	// block makes ListAttachedRolePolicies of these roles wait for ctx.
	block map[string]bool
	// onAttached runs at the start and end of ListAttachedRolePolicies.
	onAttached func(role string, end bool)
	// latency delays every call (benchmarks).
	latency time.Duration
}

func newFake() *fakeAccount {
	return &fakeAccount{calls: map[string]int{}, attached: map[string][]cloud.AttachedPolicy{}, failures: map[string][]error{}, block: map[string]bool{}}
}

func (f *fakeAccount) STS() cloud.STS              { return fakeSTS{f} }
func (f *fakeAccount) IAM() cloud.IAM              { return fakeIAM{f: f} }
func (f *fakeAccount) EC2(region string) cloud.EC2 { return fakeEC2{f, region} }
func (f *fakeAccount) S3(string) cloud.S3          { return nil }
func (f *fakeAccount) KMS(string) cloud.KMS        { return nil }

// enter counts a call, applies latency and pops a queued failure.
func (f *fakeAccount) enter(ctx context.Context, name string) error {
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
	if q := f.failures[name]; len(q) > 0 {
		f.failures[name] = q[1:]
		return q[0]
	}
	return ctx.Err()
}

func (f *fakeAccount) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

// total counts all calls.
func (f *fakeAccount) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fakeAccount) fail(name string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[name] = append(f.failures[name], errs...)
}

// page slices n items from an opaque marker, as IAM pages.
func (f *fakeAccount) page(op, marker string, n, maxItems int) (start, end int, next string, err error) {
	if marker != "" {
		v, ok := strings.CutPrefix(marker, op+"@")
		start, err = strconv.Atoi(v)
		if !ok || err != nil || start <= 0 || start >= n {
			return 0, 0, "", &cloud.Error{Service: "iam", Op: op, Code: cloud.CodeIAMValidationError, Message: "invalid marker " + marker}
		}
	}
	size := 100
	if maxItems > 0 {
		size = maxItems
	}
	if f.maxPage > 0 && f.maxPage < size {
		size = f.maxPage
	}
	end = min(start+size, n)
	if end < n {
		next = op + "@" + strconv.Itoa(end)
	}
	return start, end, next, nil
}

type fakeSTS struct{ f *fakeAccount }

func (s fakeSTS) GetCallerIdentity(ctx context.Context) (cloud.CallerIdentity, error) {
	if err := s.f.enter(ctx, "sts:GetCallerIdentity"); err != nil {
		return cloud.CallerIdentity{}, err
	}
	return s.f.identity, nil
}

type fakeEC2 struct {
	f      *fakeAccount
	region string
}

func (e fakeEC2) DescribeRegions(ctx context.Context, all bool) ([]cloud.Region, error) {
	if err := e.f.enter(ctx, "ec2:DescribeRegions"); err != nil {
		return nil, err
	}
	e.f.mu.Lock()
	e.f.asked = append(e.f.asked, e.region)
	e.f.mu.Unlock()
	var out []cloud.Region
	for _, r := range e.f.regions {
		if all || r.OptInStatus != "not-opted-in" {
			out = append(out, r)
		}
	}
	return out, nil
}

type fakeIAM struct {
	cloud.IAM // nil: calls discovery must not make panic
	f         *fakeAccount
}

func (i fakeIAM) ListRoles(ctx context.Context, in cloud.ListRolesInput) (cloud.ListRolesOutput, error) {
	if err := i.f.enter(ctx, "iam:ListRoles"); err != nil {
		return cloud.ListRolesOutput{}, err
	}
	s, e, next, err := i.f.page("ListRoles", in.Marker, len(i.f.roles), int(in.MaxItems))
	if err != nil {
		return cloud.ListRolesOutput{}, err
	}
	return cloud.ListRolesOutput{Roles: i.f.roles[s:e], IsTruncated: next != "", Marker: next}, nil
}

func (i fakeIAM) GetRole(ctx context.Context, name string) (cloud.Role, error) {
	if err := i.f.enter(ctx, "iam:GetRole"); err != nil {
		return cloud.Role{}, err
	}
	if r, ok := i.f.full[name]; ok {
		return r, nil
	}
	return cloud.Role{}, &cloud.Error{Service: "iam", Op: "GetRole", Code: cloud.CodeNoSuchEntity, Resource: name}
}

func (i fakeIAM) ListInstanceProfiles(ctx context.Context, marker string) (cloud.ListInstanceProfilesOutput, error) {
	if err := i.f.enter(ctx, "iam:ListInstanceProfiles"); err != nil {
		return cloud.ListInstanceProfilesOutput{}, err
	}
	s, e, next, err := i.f.page("ListInstanceProfiles", marker, len(i.f.profiles), 0)
	if err != nil {
		return cloud.ListInstanceProfilesOutput{}, err
	}
	return cloud.ListInstanceProfilesOutput{InstanceProfiles: i.f.profiles[s:e], IsTruncated: next != "", Marker: next}, nil
}

func (i fakeIAM) ListAttachedRolePolicies(ctx context.Context, role, marker string) (cloud.ListAttachedRolePoliciesOutput, error) {
	if h := i.f.onAttached; h != nil {
		h(role, false)
		defer h(role, true)
	}
	if i.f.block[role] {
		<-ctx.Done()
		return cloud.ListAttachedRolePoliciesOutput{}, fmt.Errorf("list attached policies of %s: %w", role, ctx.Err())
	}
	if err := i.f.enter(ctx, "iam:ListAttachedRolePolicies"); err != nil {
		return cloud.ListAttachedRolePoliciesOutput{}, err
	}
	i.f.mu.Lock()
	i.f.calls["iam:ListAttachedRolePolicies:"+role]++
	i.f.mu.Unlock()
	pols := i.f.attached[role]
	s, e, next, err := i.f.page("ListAttachedRolePolicies", marker, len(pols), 0)
	if err != nil {
		return cloud.ListAttachedRolePoliciesOutput{}, err
	}
	return cloud.ListAttachedRolePoliciesOutput{AttachedPolicies: pols[s:e], IsTruncated: next != "", Marker: next}, nil
}

// Helpers to build fixtures.

const acct = "123456789012"

func role(name, path, trust string) cloud.Role {
	if path == "" {
		path = "/"
	}
	return cloud.Role{RoleName: name, Path: path, Arn: cloud.RoleARN("aws", acct, path, name), RoleID: "AROA" + strings.ToUpper(name), AssumeRolePolicyDocument: trust}
}

func trust(services string, action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` + services + `},"Action":` + action + `}]}`
}

func managed(name string) cloud.AttachedPolicy {
	return cloud.AttachedPolicy{PolicyName: name, PolicyArn: "arn:aws:iam::aws:policy/" + name}
}

func profile(name string, roles ...string) cloud.InstanceProfile {
	p := cloud.InstanceProfile{InstanceProfileName: name, Path: "/", Arn: "arn:aws:iam::" + acct + ":instance-profile/" + name}
	for _, r := range roles {
		p.Roles = append(p.Roles, cloud.Role{RoleName: r})
	}
	return p
}
