// Package discover finds what the wizard offers: the caller's identity, the
// regions enabled for the account, roles usable by EC2 and candidate KMS
// administrator roles. Results are paged, fetched concurrently and cached
// for the run. It uses internal/cloud interfaces only.
package discover

import (
	"context"
	"errors"

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

var errTODO = errors.New("discover: not implemented yet")

// Discoverer answers discovery questions for one account, caching answers.
type Discoverer struct {
	acct       cloud.Account
	homeRegion string
}

// New returns a Discoverer; homeRegion is used for regional list calls.
func New(acct cloud.Account, homeRegion string) *Discoverer {
	return &Discoverer{acct: acct, homeRegion: homeRegion}
}

// Identity returns the caller identity.
func (d *Discoverer) Identity(ctx context.Context) (cloud.CallerIdentity, error) {
	return cloud.CallerIdentity{}, errTODO
}

// Regions lists regions with their opt-in status.
func (d *Discoverer) Regions(ctx context.Context) ([]RegionInfo, error) { return nil, errTODO }

// EC2Roles lists roles that trust ec2.amazonaws.com, with their instance profiles.
func (d *Discoverer) EC2Roles(ctx context.Context) ([]RoleInfo, error) { return nil, errTODO }

// AdminRoles lists candidate KMS administrator roles.
func (d *Discoverer) AdminRoles(ctx context.Context) ([]RoleInfo, error) { return nil, errTODO }

// Explain turns a discovery error into a Hint.
func Explain(err error) Hint { return Hint{Problem: err.Error()} }
