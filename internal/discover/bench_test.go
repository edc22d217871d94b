package discover

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// BenchmarkAdminRoles lists 5,000 roles (200 with admin-like names, 50
// more with AdministratorAccess attached) through a fake with a fixed
// latency per call, at several concurrency limits, to show that the
// attachment checks overlap. Every iteration uses a fresh Discoverer.
func BenchmarkAdminRoles(b *testing.B) {
	const roles, named, attachedOnly = 5000, 200, 50
	f := newFake()
	f.latency = 500 * time.Microsecond
	for i := range roles {
		name := fmt.Sprintf("app-role-%04d", i)
		switch {
		case i < named:
			name = fmt.Sprintf("team-%03d-admin", i)
		case i < named+attachedOnly:
			f.attached[name] = []cloud.AttachedPolicy{managed("AdministratorAccess")}
		default:
			f.attached[name] = []cloud.AttachedPolicy{managed("ReadOnlyAccess")}
		}
		f.roles = append(f.roles, role(name, "", ""))
	}
	for _, c := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			for b.Loop() {
				d := New(f, "eu-central-1", WithConcurrency(c), WithAdminBudget(time.Minute))
				res, err := d.AdminRolesResult(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if res.Partial || len(res.Roles) != named+attachedOnly {
					b.Fatalf("partial=%v with %d roles, want %d", res.Partial, len(res.Roles), named+attachedOnly)
				}
			}
			b.ReportMetric(float64(roles), "roles/op")
		})
	}
}
