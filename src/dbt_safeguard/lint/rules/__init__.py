"""The MySQL 8 rules, one per module; imported only from the plugin's get_rules()."""
from .SG01 import Rule_SG01
from .SG02 import Rule_SG02
from .SG03 import Rule_SG03
from .SG04 import Rule_SG04
from .SG05 import Rule_SG05
from .SG06 import Rule_SG06
from .SG07 import Rule_SG07
from .SG08 import Rule_SG08
from .SG09 import Rule_SG09
from .SG10 import Rule_SG10
from .SG11 import Rule_SG11
from .SG12 import Rule_SG12
from .SG13 import Rule_SG13
from .SG14 import Rule_SG14
from .SG15 import Rule_SG15
from .SG16 import Rule_SG16
from .SG17 import Rule_SG17
from .SG18 import Rule_SG18
from .SG19 import Rule_SG19
from .SG20 import Rule_SG20
from .SG21 import Rule_SG21
from .SG22 import Rule_SG22
from .SG23 import Rule_SG23
from .SG24 import Rule_SG24
from .SG25 import Rule_SG25
from .SG26 import Rule_SG26
from .SG27 import Rule_SG27
from .SG28 import Rule_SG28
from .SG29 import Rule_SG29

RULES = (
    Rule_SG01, Rule_SG02, Rule_SG03, Rule_SG04, Rule_SG05, Rule_SG06,
    Rule_SG07, Rule_SG08, Rule_SG09, Rule_SG10, Rule_SG11, Rule_SG12,
    Rule_SG13, Rule_SG14, Rule_SG15, Rule_SG16, Rule_SG17, Rule_SG18,
    Rule_SG19, Rule_SG20, Rule_SG21, Rule_SG22, Rule_SG23, Rule_SG24,
    Rule_SG25, Rule_SG26, Rule_SG27, Rule_SG28, Rule_SG29,
)
