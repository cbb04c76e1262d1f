package token

import "testing"

func BenchmarkVerify(b *testing.B) {
	for _, alg := range allAlgs {
		b.Run(alg, func(b *testing.B) {
			m := mustManager(b, baseConfig(b, alg))
			raw := mustIssue(b, m)
			for b.Loop() {
				if _, err := m.Verify(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
