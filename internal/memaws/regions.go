package memaws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Opt-in states of ec2:DescribeRegions.
const (
	optInNotRequired = "opt-in-not-required"
	optedIn          = "opted-in"
	notOptedIn       = "not-opted-in"
)

// regionTable lists each partition's regions and their opt-in state in
// this account.
var regionTable = map[string]map[string]string{
	"aws": {
		"eu-central-1": optInNotRequired, "eu-west-1": optInNotRequired,
		"eu-west-2": optInNotRequired, "eu-west-3": optInNotRequired,
		"eu-north-1": optInNotRequired, "eu-south-1": notOptedIn,
		"us-east-1": optInNotRequired, "us-east-2": optInNotRequired,
		"us-west-1": optInNotRequired, "us-west-2": optInNotRequired,
		"ap-southeast-1": optInNotRequired, "ap-southeast-2": optInNotRequired,
		"ap-northeast-1": optInNotRequired, "ap-south-1": optInNotRequired,
		"ca-central-1": optInNotRequired, "sa-east-1": optInNotRequired,
		"af-south-1": notOptedIn, "me-south-1": optedIn, "ap-east-1": notOptedIn,
	},
	"aws-cn": {
		"cn-north-1": optInNotRequired, "cn-northwest-1": optInNotRequired,
	},
	"aws-us-gov": {
		"us-gov-west-1": optInNotRequired, "us-gov-east-1": optInNotRequired,
	},
	"aws-eusc": {
		"eusc-de-east-1": optInNotRequired,
	},
}

func (w *world) regions() map[string]string {
	if r, ok := regionTable[w.st.Partition]; ok {
		return r
	}
	return regionTable["aws"]
}

func defaultHome(partition string) string {
	switch partition {
	case "aws-cn":
		return "cn-north-1"
	case "aws-us-gov":
		return "us-gov-west-1"
	case "aws-eusc":
		return "eusc-de-east-1"
	default:
		return DefaultHomeRegion
	}
}

// knownRegion reports whether the partition has the region (enabled or not).
func (w *world) knownRegion(r string) bool {
	_, ok := w.regions()[r]
	return ok
}

// enabledRegion reports whether the region is usable by this account.
func (w *world) enabledRegion(r string) bool {
	s, ok := w.regions()[r]
	return ok && s != notOptedIn
}

// checkRegion fails calls to regions the account cannot use. Caller holds mu.
func (w *world) checkRegion(svc, region string) error {
	if region == "" {
		return nil // IAM and STS are global
	}
	if !w.knownRegion(region) {
		return fmt.Errorf("memaws: %s: no endpoint for region %q in partition %s (dial tcp: lookup %s.%s.%s: no such host)",
			svc, region, w.st.Partition, svc, region, cloud.DNSSuffix(w.st.Partition))
	}
	if w.enabledRegion(region) {
		return nil
	}
	if svc == "kms" {
		return awsErr(cloud.CodeUnrecognizedClient, 400, "The security token included in the request is invalid.")
	}
	return awsErr(cloud.CodeInvalidClientTokenID, 403, "The security token included in the request is invalid.")
}

// ---------------------------------------------------------------- EC2

type ec2Client struct {
	a      *Account
	region string
}

func (c ec2Client) DescribeRegions(ctx context.Context, all bool) ([]cloud.Region, error) {
	return call(c.a, ctx, callInfo{svc: "ec2", op: "DescribeRegions", region: c.region}, func(_ time.Time) ([]cloud.Region, error) {
		w := c.a.w
		var out []cloud.Region
		for name, status := range w.regions() {
			if status == notOptedIn && !all {
				continue
			}
			out = append(out, cloud.Region{
				Name:        name,
				Endpoint:    "ec2." + name + "." + cloud.DNSSuffix(w.st.Partition),
				OptInStatus: status,
			})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	})
}

// ---------------------------------------------------------------- STS

type stsClient struct{ a *Account }

func (c stsClient) GetCallerIdentity(ctx context.Context) (cloud.CallerIdentity, error) {
	return call(c.a, ctx, callInfo{svc: "sts", op: "GetCallerIdentity"}, func(_ time.Time) (cloud.CallerIdentity, error) {
		w := c.a.w
		p := c.a.caller()
		id := cloud.CallerIdentity{Account: w.st.AccountID}
		switch {
		case p.role != nil:
			session := DefaultSessionName
			if c.a.principal != "" {
				session = "memaws-session"
			} else if a, err := cloud.ParseARN(w.callerArn); err == nil {
				if parts := strings.Split(a.Resource, "/"); len(parts) == 3 {
					session = parts[2]
				}
			}
			id.Arn = "arn:" + w.st.Partition + ":sts::" + w.st.AccountID + ":assumed-role/" + p.role.Name + "/" + session
			id.UserID = p.role.ID + ":" + session
		case c.a.principal == "":
			id.Arn = w.callerArn
			id.UserID = "AROAMEMAWSDEFAULTCALLER:" + DefaultSessionName
		case p.arn == cloud.RootARN(w.st.Partition, w.st.AccountID):
			id.Arn = p.arn
			id.UserID = w.st.AccountID
		default:
			return cloud.CallerIdentity{}, awsErr(cloud.CodeInvalidClientTokenID, 403,
				"The security token included in the request is invalid (no role %s in this account).", c.a.principal)
		}
		return id, nil
	})
}
