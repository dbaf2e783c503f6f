package classify_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ghostaudit/ghostaudit/findings/classify"
)

func ExamplePolicy_Classify() {
	s := classify.DefaultSettings()
	s.Framework = classify.FrameworkIFRS
	p, err := classify.NewPolicy(s)
	if err != nil {
		panic(err)
	}
	d := p.Classify(classify.Item{
		Source:          classify.SourceCloudBill,
		ChargeCategory:  classify.ChargePurchase,
		ChargeFrequency: classify.FrequencyOneTime,
		CommitmentType:  "Savings Plan",
		PaymentOption:   classify.PaymentAllUpfront,
		TermMonths:      12,
		Amount:          decimal.RequireFromString("1000.00"),
		Currency:        "USD",
	})
	fmt.Println(d.Class, d.Rule, d.Months, d.Savings().Effect)
	fmt.Println(d.Citation)
	sched, _ := classify.AmortisationSchedule(decimal.RequireFromString("1000.00"), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), d.Months)
	fmt.Println(sched[0].Amount, sched[11].Amount)
	// Output:
	// Prepaid-amortised R3 12 avoidance-at-renewal
	// ASC 340-10 prepaid expenses; FOCUS EffectiveCost = 0 on the purchase row; practitioner consensus
	// 83.33 83.37
}
