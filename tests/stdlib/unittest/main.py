import unittest


class TestMath(unittest.TestCase):
    def setUp(self):
        self.data = [3, 1, 2]

    def test_sorted(self):
        self.assertEqual(sorted(self.data), [1, 2, 3])

    def test_in(self):
        self.assertIn(2, self.data)
        self.assertTrue(self.data)
        self.assertIsNone(None)

    def test_raises(self):
        with self.assertRaises(ZeroDivisionError):
            1 / 0

    def test_almost(self):
        self.assertAlmostEqual(0.1 + 0.2, 0.3)

    def test_fails(self):
        self.assertEqual(1, 2)


suite = unittest.TestLoader().loadTestsFromTestCase(TestMath)
result = unittest.TestResult()
suite.run(result)
print(result.testsRun, len(result.failures), len(result.errors), result.wasSuccessful())
for test, tb in result.failures:
    print(test.id(), tb.strip().splitlines()[-1])
