package discover

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Reasons AdminRoles gives, strongest evidence first.
const (
	ReasonAdministratorAccess = "AdministratorAccess attached"
	ReasonIdentityCenterAdmin = "IAM Identity Center administrator"
	ReasonOrganizationAccess  = "AWS Organizations account access role"
	ReasonAdminName           = "name suggests an administrator role"
)

// ssoPath is where IAM Identity Center puts the roles of permission sets.
const ssoPath = "/aws-reserved/sso.amazonaws.com/"

// AdminResult is the answer of AdminRolesResult.
type AdminResult struct {
	// Roles are the candidates, strongest evidence first, then by name.
	Roles []RoleInfo `json:"roles"`
	// Partial is true when not every role could be checked for an attached
	// AdministratorAccess policy: the time budget ran out, or Err stopped
	// the checks. Candidates by name and IAM Identity Center roles are
	// always listed; roles found only by their policy may be missing. The
	// next call continues with the unchecked roles.
	Partial bool `json:"partial,omitempty"`
	// Checked and Unchecked count the roles whose managed policies were and
	// were not checked (service-linked roles are never counted).
	Checked   int `json:"checked"`
	Unchecked int `json:"unchecked,omitempty"`
	// Err is the error that stopped the policy checks early (for example
	// AccessDenied on iam:ListAttachedRolePolicies); nil when only the time
	// budget did. Explain turns it into a hint.
	Err error `json:"-"`
}

// attachState is what is known about a role's managed policies.
type attachState uint8

const (
	attachNone  attachState = iota + 1 // checked: no AdministratorAccess
	attachAdmin                        // checked: AdministratorAccess attached
	attachGone                         // the role was deleted meanwhile
)

// AdminRoles lists candidate KMS administrator roles, strongest evidence
// first. It is AdminRolesResult without the word on completeness: when the
// time budget runs out it returns what it found so far.
func (d *Discoverer) AdminRoles(ctx context.Context) ([]RoleInfo, error) {
	res, err := d.AdminRolesResult(ctx)
	return res.Roles, err
}

// AdminRolesResult finds candidate KMS administrator roles by three routes:
// IAM Identity Center AdministratorAccess permission-set roles, admin-like
// names (admin, Administrator, kms-admin, OrganizationAccountAccessRole),
// and an attached arn:<partition>:iam::aws:policy/AdministratorAccess.
// Service-linked roles are skipped.
//
// Checking attachments costs one call per role, so it runs with bounded
// concurrency under a time budget (WithConcurrency, WithAdminBudget), name
// candidates first. What was checked is remembered; only a complete answer
// is cached, and a later call resumes with the roles left unchecked.
func (d *Discoverer) AdminRolesResult(ctx context.Context) (AdminResult, error) {
	res, err := d.admin.load(ctx, d.findAdmins, func(r AdminResult) bool { return !r.Partial })
	res.Roles = cloneRoles(res.Roles)
	return res, err
}

// candidate is a role with the evidence known without further calls.
type candidate struct {
	role cloud.Role
	sso  bool
	name string // name reason, "" if the name is not admin-like
}

func (c candidate) byName() bool { return c.sso || c.name != "" }

func classify(r cloud.Role) candidate {
	c := candidate{role: r}
	switch {
	case strings.HasPrefix(r.Path, ssoPath) && strings.HasPrefix(r.RoleName, "AWSReservedSSO_AdministratorAccess_"):
		c.sso = true
	case strings.EqualFold(r.RoleName, "OrganizationAccountAccessRole"):
		c.name = ReasonOrganizationAccess
	case strings.Contains(strings.ToLower(r.RoleName), "admin"):
		c.name = ReasonAdminName
	}
	return c
}

func (d *Discoverer) findAdmins(ctx context.Context) (AdminResult, error) {
	roles, err := d.allRoles(ctx)
	if err != nil {
		return AdminResult{}, err
	}
	var named, rest []candidate
	for _, r := range roles {
		if isServiceLinked(r) {
			continue
		}
		if c := classify(r); c.byName() {
			named = append(named, c)
		} else {
			rest = append(rest, c)
		}
	}
	all := append(named, rest...)

	var todo []cloud.Role
	d.attachMu.Lock()
	for _, c := range all {
		if d.attached[c.role.RoleName] == 0 {
			todo = append(todo, c.role)
		}
	}
	d.attachMu.Unlock()
	stopErr := d.checkAttachments(ctx, todo)
	if err := ctx.Err(); err != nil {
		return AdminResult{}, err
	}

	var res AdminResult
	type scored struct {
		info  RoleInfo
		score int
	}
	var found []scored
	d.attachMu.Lock()
	for _, c := range all {
		st := d.attached[c.role.RoleName]
		switch st {
		case attachGone:
			continue
		case 0:
			res.Unchecked++
		default:
			res.Checked++
		}
		s := scored{info: RoleInfo{Name: c.role.RoleName, Arn: c.role.Arn, Path: c.role.Path}}
		if st == attachAdmin {
			s.score += 4
			s.info.Reasons = append(s.info.Reasons, ReasonAdministratorAccess)
		}
		if c.sso {
			s.score += 2
			s.info.Reasons = append(s.info.Reasons, ReasonIdentityCenterAdmin)
		}
		if c.name != "" {
			s.score++
			s.info.Reasons = append(s.info.Reasons, c.name)
		}
		if s.score > 0 {
			found = append(found, s)
		}
	}
	d.attachMu.Unlock()
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].score != found[j].score {
			return found[i].score > found[j].score
		}
		return found[i].info.Name < found[j].info.Name
	})
	for _, s := range found {
		res.Roles = append(res.Roles, s.info)
	}
	res.Partial = res.Unchecked > 0
	res.Err = stopErr
	return res, nil
}

// checkAttachments checks roles for an attached AdministratorAccess policy
// with bounded concurrency until done, the budget runs out, or a call fails
// (the failure is returned; it would most likely fail for every role).
// Results go to d.attached.
func (d *Discoverer) checkAttachments(ctx context.Context, roles []cloud.Role) error {
	if len(roles) == 0 {
		return nil
	}
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timer := d.after(d.budget)
	go func() {
		select {
		case <-timer:
			cancel()
		case <-bctx.Done():
		}
	}()

	var (
		errOnce sync.Once
		stopErr error // written once, read after wg.Wait
	)
	jobs := make(chan cloud.Role)
	var wg sync.WaitGroup
	for range min(d.concurrency, len(roles)) {
		wg.Go(func() {
			for r := range jobs {
				if bctx.Err() != nil {
					continue
				}
				has, err := d.hasAdministratorAccess(bctx, r)
				var st attachState
				switch {
				case err == nil && has:
					st = attachAdmin
				case err == nil:
					st = attachNone
				case cloud.IsCode(err, cloud.CodeNoSuchEntity):
					st = attachGone
				case bctx.Err() != nil:
					continue // budget or caller: left unchecked
				default:
					errOnce.Do(func() { stopErr = fmt.Errorf("list managed policies of role %s: %w", r.RoleName, err) })
					cancel()
					continue
				}
				d.attachMu.Lock()
				d.attached[r.RoleName] = st
				d.attachMu.Unlock()
			}
		})
	}
feed:
	for _, r := range roles {
		select {
		case jobs <- r:
		case <-bctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return stopErr
}

// hasAdministratorAccess pages iam:ListAttachedRolePolicies of r looking
// for the AWS managed AdministratorAccess policy of r's partition.
func (d *Discoverer) hasAdministratorAccess(ctx context.Context, r cloud.Role) (bool, error) {
	partition := "aws"
	if a, err := cloud.ParseARN(r.Arn); err == nil {
		partition = a.Partition
	}
	want := "arn:" + partition + ":iam::aws:policy/AdministratorAccess"
	marker := ""
	for {
		res, err := d.acct.IAM().ListAttachedRolePolicies(ctx, r.RoleName, marker)
		if err != nil {
			return false, err
		}
		for _, p := range res.AttachedPolicies {
			if p.PolicyArn == want {
				return true, nil
			}
		}
		if !res.IsTruncated {
			return false, nil
		}
		if res.Marker == "" || res.Marker == marker {
			return false, errors.New("truncated answer without a new marker")
		}
		marker = res.Marker
	}
}
