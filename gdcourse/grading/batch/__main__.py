"""python -m gdcourse.grading.batch ASSIGNMENT ...: see gdcourse.grading.batch.coordinator."""
import sys

from .coordinator import main

sys.exit(main())
