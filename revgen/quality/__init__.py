"""Quality gates: Great Expectations suites from expectations/suites.yml, results in the warehouse."""
