"""An employees-shaped database, generated on the server, for the loader benchmark.

It has the shape of the MySQL `employees` sample database that the loader
was measured on (issue 8): one dominant table (`salaries`, about 70 % of the
dump's bytes, a composite primary key and a foreign key), a few mid-size
tables with foreign keys and secondary indexes, and a latin1 table with
accented names. The rows are computed by INSERT ... SELECT over MariaDB's
sequence engine (`seq_1_to_N`), so a full-size database (300,000 employees,
about 4 million rows, 170 MB of dump) is written in seconds, the same every
time.

    create_employees_schema(sql_connection, "employees_src", employees=300_000)
"""
from __future__ import annotations

from typing import Sequence

FULL_SIZE = 300_000  # employees in the real sample database


def _department_link(table: str) -> str:
    """dept_emp and dept_manager: the sample database defines both alike."""
    return f"""CREATE TABLE `{table}` (
  `emp_no` int(11) NOT NULL,
  `dept_no` char(4) NOT NULL,
  `from_date` date NOT NULL,
  `to_date` date NOT NULL,
  PRIMARY KEY (`emp_no`,`dept_no`),
  KEY `dept_no` (`dept_no`),
  CONSTRAINT `{table}_ibfk_1` FOREIGN KEY (`emp_no`) REFERENCES `employees` (`emp_no`) ON DELETE CASCADE,
  CONSTRAINT `{table}_ibfk_2` FOREIGN KEY (`dept_no`) REFERENCES `departments` (`dept_no`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


DDL: Sequence[str] = (
    """CREATE TABLE `departments` (
  `dept_no` char(4) NOT NULL,
  `dept_name` varchar(40) NOT NULL,
  PRIMARY KEY (`dept_no`),
  UNIQUE KEY `dept_name` (`dept_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE `employees` (
  `emp_no` int(11) NOT NULL,
  `birth_date` date NOT NULL,
  `first_name` varchar(14) NOT NULL,
  `last_name` varchar(16) NOT NULL,
  `gender` enum('M','F') NOT NULL,
  `hire_date` date NOT NULL,
  PRIMARY KEY (`emp_no`),
  KEY `hire_date` (`hire_date`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1""",
    _department_link("dept_emp"),
    _department_link("dept_manager"),
    """CREATE TABLE `titles` (
  `emp_no` int(11) NOT NULL,
  `title` varchar(50) NOT NULL,
  `from_date` date NOT NULL,
  `to_date` date DEFAULT NULL,
  PRIMARY KEY (`emp_no`,`title`,`from_date`),
  CONSTRAINT `titles_ibfk_1` FOREIGN KEY (`emp_no`) REFERENCES `employees` (`emp_no`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE `salaries` (
  `emp_no` int(11) NOT NULL,
  `salary` int(11) NOT NULL,
  `from_date` date NOT NULL,
  `to_date` date NOT NULL,
  PRIMARY KEY (`emp_no`,`from_date`),
  CONSTRAINT `salaries_ibfk_1` FOREIGN KEY (`emp_no`) REFERENCES `employees` (`emp_no`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
)

TABLES = ("departments", "employees", "dept_emp", "dept_manager", "titles", "salaries")

_DEPARTMENTS = ("Marketing", "Finance", "Human Resources", "Production", "Development",
                "Quality Management", "Sales", "Research", "Customer Service")
_FIRST = ("Georgi", "Bezalel", "Parto", "Chirstian", "Kyoichi", "Anneke", "Tzvetan", "Saniya", "Sumant",
          "Duangkaew", "Mary", "Patricio", "Eberhardt", "Berni", "Guoxiang", "Kazuhito", "Cristinel",
          "Kazuhide", "Lillian", "Mayuko", "Ramzi", "Shahaf", "Bojan", "Suzette", "Prasadram", "Yongqiao",
          "Divier", "Domenick", "Otmar", "Elvis", "Karsten", "Jeong", "Arif", "Bader", "Alain", "Adamantios",
          "Pradeep", "Huan", "Alejandro", "Weiyi", "Uri", "Magy", "Yishay", "Mingsen", "Moss", "Lucien",
          "Zvonko", "Florian", "Basil", "Yinghua", "Hidefumi", "Heping", "Sanjiv", "Mayumi", "Gino",
          "Udi", "Goa", "Mohd", "Hisao", "Kwee", "Zhongwei", "René", "Zoë", "Jürgen")
_LAST = ("Facello", "Simmel", "Bamford", "Koblick", "Maliniak", "Preusig", "Zielinski", "Kalloufi",
         "Peac", "Piveteau", "Sluis", "Bridgland", "Terkki", "Genin", "Nooteboom", "Cappelletti",
         "Bouloucos", "Peha", "Haddadi", "Warwick", "Erde", "Famili", "Montemayor", "Pettey", "Heyers",
         "Berztiss", "Reistad", "Tempesti", "Herbst", "Demeyer", "Joslin", "Reistad", "Merlo", "Swan",
         "Chappelet", "Portugali", "Lenart", "Stamatiou", "Koblick", "Baek", "Lortz", "Brender",
         "Müller", "Gómez", "Ødegård", "Françoise")
_TITLES = ("Staff", "Senior Staff", "Engineer", "Senior Engineer", "Assistant Engineer", "Technique Leader",
           "Manager")


def _elt(expression: str, values: Sequence[str]) -> str:
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"ELT(1 + ({expression}) % {len(values)}, {quoted})"


def populate_statements(employees: int) -> Sequence[str]:
    """The statements that fill the six tables for `employees` employees.

    Every row is a function of its sequence numbers: employee e has
    1 + (37 e mod 18) salaries (9.5 on average, as in the sample database),
    one or two titles and one or two departments.
    """
    if employees < 10:
        raise ValueError(f"employees must be at least 10, got {employees}")
    departments = ", ".join(f"('d{i:03d}', '{name}')" for i, name in enumerate(_DEPARTMENTS, 1))
    return (
        f"INSERT INTO departments VALUES {departments}",
        "INSERT INTO employees SELECT 10000 + seq, '1952-02-01' + INTERVAL (seq * 7919) % 4700 DAY, "
        f"{_elt('seq * 31', _FIRST)}, {_elt('seq * 17 + seq DIV 7', _LAST)}, "
        "IF(seq % 5 < 3, 'M', 'F'), '1985-01-01' + INTERVAL (seq * 104729) % 5000 DAY "
        f"FROM seq_1_to_{employees}",
        "INSERT INTO dept_emp SELECT e.emp_no, CONCAT('d00', 1 + (e.emp_no * 13 + s.seq) % 9), "
        "e.hire_date + INTERVAL (s.seq - 1) * 3 YEAR, "
        "IF(s.seq = 1 + (e.emp_no % 10 = 0), '9999-01-01', e.hire_date + INTERVAL s.seq * 3 YEAR) "
        "FROM employees e JOIN seq_1_to_2 s ON s.seq <= 1 + (e.emp_no % 10 = 0)",
        "INSERT INTO dept_manager SELECT e.emp_no, CONCAT('d00', 1 + e.emp_no % 9), e.hire_date, "
        "'9999-01-01' FROM employees e WHERE e.emp_no % (GREATEST(1, (SELECT COUNT(*) FROM employees) DIV 24)) = 0",
        "INSERT INTO titles SELECT e.emp_no, "
        f"{_elt('e.emp_no * 3 + s.seq', _TITLES)}, e.hire_date + INTERVAL (s.seq - 1) * 7 YEAR, "
        "IF(s.seq = 1 + (e.emp_no % 2), NULL, e.hire_date + INTERVAL s.seq * 7 YEAR) "
        "FROM employees e JOIN seq_1_to_2 s ON s.seq <= 1 + (e.emp_no % 2)",
        "INSERT INTO salaries SELECT e.emp_no, 38000 + (e.emp_no * 7919 + s.seq * 104729) % 90000, "
        "e.hire_date + INTERVAL s.seq - 1 YEAR, "
        "IF(s.seq = 1 + (e.emp_no * 37) % 18, '9999-01-01', e.hire_date + INTERVAL s.seq YEAR) "
        "FROM employees e JOIN seq_1_to_18 s ON s.seq <= 1 + (e.emp_no * 37) % 18",
    )


def create_employees_schema(conn, schema: str, employees: int = FULL_SIZE) -> None:
    """Create `schema` (which must not exist) on a MariaDB server and fill it.

    `conn` is an autocommit pymysql connection. MariaDB only: the rows come
    from its sequence engine.
    """
    quoted = "`" + schema.replace("`", "``") + "`"
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4")
        cur.execute(f"USE {quoted}")
        cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        for statement in DDL:
            cur.execute(statement)
        for statement in populate_statements(employees):
            cur.execute(statement)
        cur.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")
