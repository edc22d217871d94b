package recall

import (
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
)

// PricesAsOf and PriceSource date and name the price table below. Prices
// are US East (N. Virginia) list prices in USD; other regions differ by a
// few percent. They are an estimate, never a quote.
const (
	PricesAsOf  = "2025-06"
	PriceSource = "https://aws.amazon.com/s3/pricing/ (Requests & data retrievals; Storage), us-east-1; " +
		"bulk retrievals from Glacier Flexible Retrieval are free per the S3 user guide, restoring-objects-retrieval-options"
)

// price is the cost of one tier for one storage class.
type price struct {
	perGB       float64 // data retrieved, USD per GB
	perThousand float64 // restore requests, USD per 1,000
	typical     string  // typical completion (S3 user guide, restoring-objects-retrieval-options)
}

// prices by storage class and tier. Expedited is not offered for
// DEEP_ARCHIVE.
var prices = map[string]map[string]price{
	cloud.StorageClassGlacier: {
		cloud.TierExpedited: {0.03, 10.00, "1–5 minutes"},
		cloud.TierStandard:  {0.01, 0.05, "3–5 hours"},
		cloud.TierBulk:      {0, 0, "5–12 hours"},
	},
	cloud.StorageClassDeepArchive: {
		cloud.TierStandard: {0.02, 0.10, "within 12 hours"},
		cloud.TierBulk:     {0.0025, 0.025, "within 48 hours"},
	},
}

// standardPerGBMonth is what the temporary copies cost while they exist
// (S3 Standard storage, first 50 TB, USD per GB-month).
const standardPerGBMonth = 0.023

// Typical returns the typical completion time of a tier for a class, or
// "" when the tier is not offered for it.
func Typical(class, tier string) string {
	return prices[class][tier].typical
}

// Offered reports whether the tier can restore objects of the class.
func Offered(class, tier string) bool {
	_, ok := prices[class][tier]
	return ok
}

// Estimate is the estimated cost of restoring objects.
type Estimate struct {
	RetrievalUSD float64 `json:"retrievalUsd"` // per-GB retrieval charges
	RequestsUSD  float64 `json:"requestsUsd"`  // restore request charges
	CopiesUSD    float64 `json:"copiesUsd"`    // S3 Standard storage of the temporary copies for Days
	TotalUSD     float64 `json:"totalUsd"`
	PricesAsOf   string  `json:"pricesAsOf"`
	Source       string  `json:"source"`
	Note         string  `json:"note"`
}

const gb = 1 << 30

// estimate prices the restore of the given objects per class with tier,
// keeping the copies for days.
func estimate(classes []ClassCount, tier string, days int32) Estimate {
	e := Estimate{PricesAsOf: PricesAsOf, Source: PriceSource,
		Note: fmt.Sprintf("an estimate from list prices of %s; your bill depends on region, agreements and free tiers", PricesAsOf)}
	for _, c := range classes {
		p, ok := prices[c.StorageClass][tier]
		if !ok {
			continue
		}
		g := float64(c.Bytes) / gb
		e.RetrievalUSD += g * p.perGB
		e.RequestsUSD += float64(c.Objects) / 1000 * p.perThousand
		e.CopiesUSD += g * standardPerGBMonth * float64(days) / 30
	}
	e.TotalUSD = e.RetrievalUSD + e.RequestsUSD + e.CopiesUSD
	return e
}

// typicalFor says the typical completion of the tier per class present,
// e.g. "GLACIER 3–5 hours, DEEP_ARCHIVE within 12 hours".
func typicalFor(classes []ClassCount, tier string) string {
	var parts []string
	for _, c := range classes {
		t := Typical(c.StorageClass, tier)
		if t == "" {
			t = "not offered"
		}
		parts = append(parts, c.StorageClass+" "+t)
	}
	return strings.Join(parts, ", ")
}
